package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import org.samtune.SamtuneException;
import org.samtune.model.nn.Activation;
import org.samtune.model.nn.ConvTranspose2d;
import org.samtune.model.nn.Embedding;
import org.samtune.model.nn.LayerNorm2d;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.ModuleList;
import org.samtune.model.nn.Sequential;

/**
 * Predicts masks given image and prompt embeddings, using a two-way transformer (mask_decoder.py). Output tokens
 * are [IoU token, mask tokens...]; mask token i's hypernetwork turns its transformer output into the weights of a
 * 1×1 "conv" over the upscaled image embedding. finetune-SAM sets the number of multimask outputs to its number of
 * classes, so mask token c+1 becomes class channel c.
 */
public final class MaskDecoder extends Module {
    public final SamConfig.Decoder config;
    public final int transformerDim;
    public final int numMaskTokens;
    public final TwoWayTransformer transformer;
    public final Embedding iou_token;
    public final Embedding mask_tokens;
    public final Sequential output_upscaling;
    public final ModuleList<MLP> output_hypernetworks_mlps;
    public final MLP iou_prediction_head;

    /** Low-res mask logits (B, M, 4h, 4w) and predicted IoU (B, M). */
    public record Output(NDArray masks, NDArray iouPred) {}

    public MaskDecoder(NDManager manager, SamConfig.Decoder c) {
        super(manager);
        this.config = c;
        this.transformerDim = c.transformerDim();
        this.numMaskTokens = c.numMaskTokens();
        int d = transformerDim;
        transformer = module("transformer", new TwoWayTransformer(manager, c.transformerDepth(), d, c.numHeads(),
                c.mlpDim(), c.attentionDownsampleRate()));
        iou_token = module("iou_token", new Embedding(manager, 1, d));
        mask_tokens = module("mask_tokens", new Embedding(manager, numMaskTokens, d));
        output_upscaling = module("output_upscaling", new Sequential(manager)
                .add(new ConvTranspose2d(manager, d, d / 4, 2, 2, true))
                .add(new LayerNorm2d(manager, d / 4))
                .add(Activation.gelu(manager))
                .add(new ConvTranspose2d(manager, d / 4, d / 8, 2, 2, true))
                .add(Activation.gelu(manager)));
        output_hypernetworks_mlps = module("output_hypernetworks_mlps", new ModuleList<>(manager));
        for (int i = 0; i < numMaskTokens; i++) {
            output_hypernetworks_mlps.add(new MLP(manager, d, d, d / 8, 3, false));
        }
        iou_prediction_head = module("iou_prediction_head",
                new MLP(manager, d, c.iouHeadHiddenDim(), numMaskTokens, c.iouHeadDepth(), false));
    }

    /**
     * Predict masks given image and prompt embeddings.
     *
     * <p>Batches: the reference repeats the image embeddings once per prompt set; here batches broadcast, which is
     * the same when either side has batch 1 (one image with K prompt sets, or B images with one shared prompt —
     * finetune-SAM's no-prompt training). Equal batches B pair image i with prompt set i.
     *
     * @param imageEmbeddings          (B, C, h, w) from the image encoder
     * @param imagePe                  (1, C, h, w) from {@link PromptEncoder#getDensePe()}
     * @param sparsePromptEmbeddings   (B or 1, N, C)
     * @param densePromptEmbeddings    (B or 1, C, h, w)
     * @param multimaskOutput          true: masks 1..M-1 (SAM's three masks, finetune-SAM's class channels);
     *                                 false: mask 0 only
     */
    public Output forward(NDArray imageEmbeddings, NDArray imagePe, NDArray sparsePromptEmbeddings,
                          NDArray densePromptEmbeddings, boolean multimaskOutput) {
        NDArray[] predicted = predictMasks(imageEmbeddings, imagePe, sparsePromptEmbeddings, densePromptEmbeddings);
        NDArray masks = predicted[0];
        NDArray iouPred = predicted[1];
        // Select the correct mask or masks for output
        if (multimaskOutput) {
            return new Output(masks.get(new NDIndex(":, 1:")), iouPred.get(new NDIndex(":, 1:")));
        }
        return new Output(masks.get(new NDIndex(":, 0:1")), iouPred.get(new NDIndex(":, 0:1")));
    }

    /** All mask tokens: [masks (B, numMaskTokens, 4h, 4w), iou (B, numMaskTokens)]. */
    public NDArray[] predictMasks(NDArray imageEmbeddings, NDArray imagePe, NDArray sparsePromptEmbeddings,
                                  NDArray densePromptEmbeddings) {
        long imageBatch = imageEmbeddings.getShape().get(0);
        long promptBatch = sparsePromptEmbeddings.getShape().get(0);
        if (imageBatch != promptBatch && imageBatch != 1 && promptBatch != 1) {
            throw new SamtuneException("mask decoder: " + imageBatch + " image embeddings and " + promptBatch
                    + " prompt sets; expected equal batches or one of them 1");
        }
        // Concatenate output tokens
        NDArray outputTokens = NDArrays.concat(new NDList(iou_token.weight.array(), mask_tokens.weight.array()), 0);
        outputTokens = outputTokens.expandDims(0)
                .broadcast(promptBatch, outputTokens.getShape().get(0), outputTokens.getShape().get(1));
        NDArray tokens = NDArrays.concat(new NDList(outputTokens, sparsePromptEmbeddings), 1);

        // Expand per-image data in batch direction to be per-mask (by broadcasting)
        NDArray src = imageEmbeddings.add(densePromptEmbeddings);
        NDArray posSrc = imagePe;
        long[] s = src.getShape().getShape();
        long b = Math.max(s[0], promptBatch), c = s[1], h = s[2], w = s[3];

        // Run the transformer
        NDArray[] hsSrc = transformer.forward(src, posSrc, tokens);
        NDArray hs = hsSrc[0];
        src = hsSrc[1];
        NDArray iouTokenOut = hs.get(new NDIndex(":, 0, :"));
        NDArray maskTokensOut = hs.get(new NDIndex(":, 1:{}, :", 1 + numMaskTokens));

        // Upscale mask embeddings and predict masks using the mask tokens
        src = src.transpose(0, 2, 1).reshape(b, c, h, w);
        NDArray upscaledEmbedding = output_upscaling.forward(src);
        NDList hyperIn = new NDList(numMaskTokens);
        for (int i = 0; i < numMaskTokens; i++) {
            hyperIn.add(output_hypernetworks_mlps.get(i).forward(maskTokensOut.get(new NDIndex(":, {}, :", i))));
        }
        NDArray hyper = NDArrays.stack(hyperIn, 1);
        long[] u = upscaledEmbedding.getShape().getShape();
        NDArray masks = hyper.matMul(upscaledEmbedding.reshape(u[0], u[1], u[2] * u[3])).reshape(u[0], -1, u[2], u[3]);

        // Generate mask quality predictions
        NDArray iouPred = iou_prediction_head.forward(iouTokenOut);
        return new NDArray[] {masks, iouPred};
    }
}
