package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.samtune.checkpoint.StateDict;
import org.samtune.model.nn.LoadReport;
import org.samtune.model.nn.Module;

/**
 * SAM predicts object masks from an image and input prompts (sam.py): image encoder → image embeddings once per
 * image; prompt encoder + mask decoder per prompt set. State-dict keys are exactly the official ones
 * ({@code image_encoder.*}, {@code prompt_encoder.*}, {@code mask_decoder.*}); {@code pixel_mean}/{@code pixel_std}
 * are non-persistent buffers as in the reference.
 */
public final class Sam extends Module {
    /** SAM's normalisation of 0–255 RGB. */
    public static final float[] PIXEL_MEAN = {123.675f, 116.28f, 103.53f};
    public static final float[] PIXEL_STD = {58.395f, 57.12f, 57.375f};
    public static final float MASK_THRESHOLD = 0.0f;

    public final SamConfig config;
    private final ImageEncoder imageEncoder;
    public final PromptEncoder prompt_encoder;
    public final MaskDecoder mask_decoder;

    /** Low-res mask logits (B, M, 4h, 4w) and predicted IoU (B, M) of one decoder call. */
    public record Prediction(NDArray lowResLogits, NDArray iouPredictions) {}

    /**
     * A SAM around any image encoder (ViT or TinyViT); the encoder must produce embeddings of the prompt
     * encoder's width and grid.
     */
    public <E extends Module & ImageEncoder> Sam(NDManager manager, E imageEncoder, SamConfig config) {
        super(manager);
        if (imageEncoder.outChans() != config.prompt().embedDim()) {
            throw new IllegalArgumentException("image encoder out_chans " + imageEncoder.outChans()
                    + " != prompt embed dim " + config.prompt().embedDim());
        }
        this.config = config;
        this.imageEncoder = module("image_encoder", imageEncoder);
        prompt_encoder = module("prompt_encoder", new PromptEncoder(manager, config.prompt()));
        mask_decoder = module("mask_decoder", new MaskDecoder(manager, config.decoder()));
        buffer("pixel_mean", manager.create(PIXEL_MEAN, new Shape(3, 1, 1)), false);
        buffer("pixel_std", manager.create(PIXEL_STD, new Shape(3, 1, 1)), false);
    }

    /** A ViT SAM (vit_b / vit_l / vit_h / custom) with zero weights; call {@link #initialize} or load weights. */
    public static Sam build(NDManager manager, SamConfig config) {
        if (config.vit() == null) {
            throw new IllegalArgumentException(config.arch() + " has no ViT encoder; build TinyViT and use new Sam(...)");
        }
        return new Sam(manager, new ImageEncoderViT(manager, config.vit()), config);
    }

    /** Names and shapes only (no storage): for checking keys and counts of the big models. */
    public static Sam buildShapesOnly(NDManager manager, SamConfig config) {
        return Module.shapesOnly(() -> build(manager, config));
    }

    /**
     * A ViT SAM with the architecture inferred from {@code sd} ({@link SamConfig#infer}) and its weights loaded
     * strictly (every key present, no extra keys, shapes equal).
     */
    public static Sam fromStateDict(NDManager manager, StateDict sd, BlockOrder order) {
        Sam sam = build(manager, SamConfig.infer(sd).withBlockOrder(order));
        sam.loadStateDict(sd, true);
        return sam;
    }

    public ImageEncoder imageEncoder() {
        return imageEncoder;
    }

    public PromptEncoder promptEncoder() {
        return prompt_encoder;
    }

    public MaskDecoder maskDecoder() {
        return mask_decoder;
    }

    public NDArray pixelMean() {
        return buffer("pixel_mean");
    }

    public NDArray pixelStd() {
        return buffer("pixel_std");
    }

    /** Image embeddings of a preprocessed (normalised, padded) batch (B, 3, S, S). */
    public NDArray embedImages(NDArray images) {
        return imageEncoder.forward(images);
    }

    /**
     * Prompt encoder + mask decoder on precomputed image embeddings. Any prompt may be null (no prompt at all:
     * finetune-SAM's automatic mode, one batch-1 token set broadcast against every image).
     */
    public Prediction predict(NDArray imageEmbeddings, NDArray pointCoords, NDArray pointLabels, NDArray boxes,
                              NDArray maskInput, boolean multimaskOutput) {
        PromptEncoder.Embeddings e = prompt_encoder.forward(pointCoords, pointLabels, boxes, maskInput);
        MaskDecoder.Output out = mask_decoder.forward(imageEmbeddings, prompt_encoder.getDensePe(), e.sparse(),
                e.dense(), multimaskOutput);
        return new Prediction(out.masks(), out.iouPred());
    }

    /** Loads weights; see {@link Module#loadStateDict}. */
    public LoadReport load(StateDict sd, boolean strict) {
        return loadStateDict(sd, strict);
    }
}
