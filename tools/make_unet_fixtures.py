"""Golden data for the U-Net baselines (org.samtune.model.unet, model.nn layers, train.SgdNesterov).

Run with the system python3 (torch 2.13 CPU, numpy): python3 tools/make_unet_fixtures.py
Writes src/test/resources/fixtures/unet/*.npz and *.keys.txt. Not run by the tests; the committed files are the
reference.

The networks are written here with plain torch.nn, using the parameter names of the code they follow
(finetune-SAM's models/unet UNet with torchvision's ResNet-34 names; dynamic_network_architectures' PlainConvUNet as
nnU-Net v2 plans it for 2-D), not imported from it: torchvision does not import with this torch build, and the
fixtures must not depend on third-party code. Weights are not stored: every float tensor of the state dict, taken
in state-dict order (num_batches_tracked skipped), is set from a formula that the Java test recomputes:
    s_i = 2 u − 1, u = SplitMix64 finaliser of ((k << 32) + i) · 0x9E3779B97F4A7C15 (mod 2^64), top 53 bits / 2^53
    (k = index of the tensor, i = flat index; a uniform draw in [−1, 1) both languages compute bit for bit)
    running_var: 1 + 0.5 s²;  running_mean: 0.1 s;  1-d weight: 1 + 0.1 s;  1-d bias: 0.1 s;
    other tensors: s · sqrt(6 / fan_in), fan_in = numel / shape[0] (He-uniform: a well-conditioned network, so
    float32 rounding stays far below the tolerances; a smooth formula such as a sine gave near-constant channels
    whose BatchNorm backward amplified rounding a millionfold)
Files:
  layers.npz          instance_norm (x, weight, bias, y), leaky_relu (x, y), max_pool (x, y), conv_transpose
                      (x, weight, bias, y)
  resnet34_unet.npz   x (2,3,64,64), target (2,64,64), eval_logits (running statistics), train_logits, loss,
                      grad/<key> for some keys, gradnorm (L2 norm of every parameter's gradient, key order),
                      after/<key> running statistics after the step
  plain_unet.npz      x (2,3,32,32), target (2,32,32), eval_logits, ds0..ds2 (deep-supervision outputs), loss,
                      grad/<key> for some keys, gradnorm (nan where the gradient is None), then two nnU-Net steps
                      (clip_grad_norm_ 12, SGD lr 0.01 / 0.009 momentum 0.99 nesterov wd 3e-5):
                      loss2 and w2/<key> after the second step
  sgd.npz             torch.optim.SGD(nesterov, momentum 0.99, weight decay 3e-5) on three tensors over four steps,
                      with clip_grad_norm_ before each step: p0/<name>, g<t>/<name>, lr<t>, max_norm, w<t>/<name>
"""
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'test', 'resources', 'fixtures', 'unet')
torch.manual_seed(7)
torch.set_num_threads(2)


def f32(t):
    return t.detach().cpu().numpy().astype(np.float32)


def uniform(k, n):
    """SplitMix64 of ((k << 32) + i) · golden gamma, i = 0..n−1, as doubles in [0, 1)."""
    with np.errstate(over='ignore'):
        z = (np.uint64(k) << np.uint64(32)) + np.arange(n, dtype=np.uint64)
        z = z * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def formula_weights(model):
    """Sets every float state tensor from the formula above; returns the keys in order."""
    keys = []
    k = 0
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith('num_batches_tracked'):
                continue
            n = t.numel()
            s = 2 * uniform(k, n) - 1
            if name.endswith('running_var'):
                v = 1 + 0.5 * s * s
            elif name.endswith('running_mean'):
                v = 0.1 * s
            elif t.dim() == 1 and name.endswith('weight'):
                v = 1 + 0.1 * s
            elif t.dim() == 1:
                v = 0.1 * s
            else:
                v = s * math.sqrt(6 / (n / t.shape[0]))
            t.copy_(torch.from_numpy(v.astype(np.float32)).reshape(t.shape))
            keys.append(name)
            k += 1
    return keys


def dice_ce(logits, target):
    """samtune's DiceCeLoss: MONAI DiceLoss(sigmoid, squared_pred, to_onehot_y, background included) + CE."""
    c = logits.shape[1]
    oh = F.one_hot(target, c).permute(0, 3, 1, 2).float()
    s = torch.sigmoid(logits)
    inter = (s * oh).sum((2, 3))
    den = (oh * oh).sum((2, 3)) + (s * s).sum((2, 3))
    dice = (1 - (2 * inter + 1e-5) / (den + 1e-5)).mean()
    return dice + F.cross_entropy(logits, target)


# ---- finetune-SAM's ResNet-34 U-Net ---------------------------------------------------------------------------

class BasicBlock(nn.Module):
    def __init__(self, inp, out, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(out, out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out)
        self.downsample = None
        if stride != 1 or inp != out:
            self.downsample = nn.Sequential(nn.Conv2d(inp, out, 1, stride, bias=False), nn.BatchNorm2d(out))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + (x if self.downsample is None else self.downsample(x)))


class UnetBlock(nn.Module):
    def __init__(self, up_in, x_in, n_out):
        super().__init__()
        self.x_conv = nn.Conv2d(x_in, n_out // 2, 1)
        self.tr_conv = nn.ConvTranspose2d(up_in, n_out // 2, 2, stride=2)
        self.bn = nn.BatchNorm2d(n_out)

    def forward(self, up, skip):
        return self.bn(F.relu(torch.cat([self.tr_conv(up), self.x_conv(skip)], 1)))


class ResNet34UNet(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        inp = 64
        for s, (n, w) in enumerate(zip((3, 4, 6, 3), (64, 128, 256, 512))):
            blocks = []
            for b in range(n):
                blocks.append(BasicBlock(inp, w, 2 if b == 0 and s > 0 else 1))
                inp = w
            setattr(self, 'layer%d' % (s + 1), nn.Sequential(*blocks))
        self.up1 = UnetBlock(512, 256, 256)
        self.up2 = UnetBlock(256, 128, 256)
        self.up3 = UnetBlock(256, 64, 256)
        self.up4 = UnetBlock(256, 64, 256)
        self.up5 = nn.ConvTranspose2d(256, num_classes, 2, stride=2)

    def forward(self, x):
        stem = self.relu(self.bn1(self.conv1(x)))
        s1 = self.layer1(self.maxpool(stem))
        s2 = self.layer2(s1)
        s3 = self.layer3(s2)
        x = F.relu(self.layer4(s3))
        x = self.up1(x, s3)
        x = self.up2(x, s2)
        x = self.up3(x, s1)
        x = self.up4(x, stem)
        return self.up5(x)


# ---- nnU-Net's PlainConvUNet (2-D plans) ----------------------------------------------------------------------

class ConvNormAct(nn.Module):
    def __init__(self, inp, out, stride):
        super().__init__()
        self.conv = nn.Conv2d(inp, out, 3, stride, 1, bias=True)
        self.norm = nn.InstanceNorm2d(out, eps=1e-5, affine=True)
        self.nonlin = nn.LeakyReLU(0.01)

    def forward(self, x):
        return self.nonlin(self.norm(self.conv(x)))


class Stacked(nn.Module):
    def __init__(self, inp, out, stride):
        super().__init__()
        self.convs = nn.Sequential(ConvNormAct(inp, out, stride), ConvNormAct(out, out, 1))

    def forward(self, x):
        return self.convs(x)


class Encoder(nn.Module):
    def __init__(self, features):
        super().__init__()
        stages, inp = [], 3
        for s, f in enumerate(features):
            stages.append(nn.Sequential(Stacked(inp, f, 1 if s == 0 else 2)))
            inp = f
        self.stages = nn.Sequential(*stages)

    def forward(self, x):
        skips = []
        for s in self.stages:
            x = s(x)
            skips.append(x)
        return skips


class Decoder(nn.Module):
    def __init__(self, features, num_classes):
        super().__init__()
        self.stages, self.transpconvs, self.seg_layers = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        for s in range(1, len(features)):
            below, skip = features[-s], features[-(s + 1)]
            self.transpconvs.append(nn.ConvTranspose2d(below, skip, 2, 2, bias=True))
            self.stages.append(Stacked(2 * skip, skip, 1))
            self.seg_layers.append(nn.Conv2d(skip, num_classes, 1, 1, 0, bias=True))

    def forward(self, skips, deep_supervision):
        x, outs = skips[-1], []
        for s in range(len(self.stages)):
            x = self.stages[s](torch.cat((self.transpconvs[s](x), skips[-(s + 2)]), 1))
            if deep_supervision or s == len(self.stages) - 1:
                outs.append(self.seg_layers[s](x))
        return outs[::-1]


class PlainConvUNet(nn.Module):
    def __init__(self, features, num_classes):
        super().__init__()
        self.encoder = Encoder(features)
        self.decoder = Decoder(features, num_classes)

    def forward(self, x, deep_supervision=False):
        return self.decoder(self.encoder(x), deep_supervision)


def ds_weights(n):
    w = np.array([1 / (2 ** i) for i in range(n)])
    w[-1] = 0
    return w / w.sum()


def save(name, arrays, keys=None):
    os.makedirs(OUT, exist_ok=True)
    np.savez_compressed(os.path.join(OUT, name + '.npz'), **{k: np.asarray(v) for k, v in arrays.items()})
    if keys is not None:
        with open(os.path.join(OUT, name + '.keys.txt'), 'w') as f:
            f.write('\n'.join(keys) + '\n')


def labels(b, h, w, classes):
    yy, xx = np.meshgrid(np.arange(h), np.arange(w), indexing='ij')
    out = np.stack([((xx // 5 + yy // 7 + i) % classes) for i in range(b)])
    # a blob of class 1 so every class has a region
    out[:, h // 4:h // 2, w // 4:w // 2] = 1
    return torch.from_numpy(out.astype(np.int64))


def layers():
    a = {}
    x = torch.randn(2, 4, 5, 6)
    w, b = torch.randn(4), torch.randn(4)
    n = nn.InstanceNorm2d(4, eps=1e-5, affine=True)
    with torch.no_grad():
        n.weight.copy_(w)
        n.bias.copy_(b)
    a.update(instance_norm_x=f32(x), instance_norm_weight=f32(w), instance_norm_bias=f32(b), instance_norm_y=f32(n(x)))
    x = torch.randn(3, 7, 5)
    a.update(leaky_relu_x=f32(x), leaky_relu_y=f32(F.leaky_relu(x, 0.01)))
    x = torch.randn(2, 3, 9, 8)
    a.update(max_pool_x=f32(x), max_pool_y=f32(nn.MaxPool2d(3, 2, 1)(x)))
    t = nn.ConvTranspose2d(6, 5, 2, stride=2)
    x = torch.randn(2, 6, 3, 4)
    a.update(conv_transpose_x=f32(x), conv_transpose_weight=f32(t.weight), conv_transpose_bias=f32(t.bias),
             conv_transpose_y=f32(t(x)))
    save('layers', a)


RESNET_GRAD_KEYS = ['conv1.weight', 'bn1.weight', 'layer1.0.bn1.weight', 'layer2.0.downsample.1.weight',
                    'layer4.2.bn2.weight', 'layer4.2.bn2.bias', 'up1.x_conv.bias', 'up1.bn.bias',
                    'up4.tr_conv.bias', 'up5.weight', 'up5.bias']
RESNET_STAT_KEYS = ['bn1.running_mean', 'bn1.running_var', 'layer3.5.bn2.running_var', 'up4.bn.running_mean']


def resnet34_unet():
    m = ResNet34UNet(3)
    keys = formula_weights(m)
    x = torch.randn(2, 3, 64, 64)
    target = labels(2, 64, 64, 3)
    a = {'x': f32(x), 'target': target.numpy()}
    m.eval()
    with torch.no_grad():
        a['eval_logits'] = f32(m(x))
    m.train()
    out = m(x)
    loss = dice_ce(out, target)
    loss.backward()
    a['train_logits'] = f32(out)
    a['loss'] = np.float32(loss.item())
    params = dict(m.named_parameters())
    for k in RESNET_GRAD_KEYS:
        a['grad/' + k] = f32(params[k].grad)
    a['gradnorm'] = np.array([params[k].grad.double().norm().item() if params[k].grad is not None else np.nan
                              for k in params], dtype=np.float64)
    sd = m.state_dict()
    for k in RESNET_STAT_KEYS:
        a['after/' + k] = f32(sd[k])
    save('resnet34_unet', a, keys)
    with open(os.path.join(OUT, 'resnet34_unet.params.txt'), 'w') as f:
        f.write('\n'.join(params.keys()) + '\n')


PLAIN_GRAD_KEYS = ['encoder.stages.0.0.convs.0.conv.weight', 'encoder.stages.0.0.convs.0.norm.weight',
                   'encoder.stages.3.0.convs.1.norm.bias', 'decoder.transpconvs.2.weight',
                   'decoder.stages.2.convs.1.norm.bias', 'decoder.seg_layers.2.weight', 'decoder.seg_layers.1.bias']
PLAIN_W_KEYS = ['encoder.stages.0.0.convs.0.conv.weight', 'encoder.stages.2.0.convs.1.norm.weight',
                'decoder.transpconvs.2.bias', 'decoder.seg_layers.2.weight', 'decoder.seg_layers.0.weight']


def plain_unet():
    features = (32, 64, 128, 256)  # nnU-Net's plan for a 32² input: 4 stages
    m = PlainConvUNet(features, 3)
    keys = formula_weights(m)
    x = torch.randn(2, 3, 32, 32)
    target = labels(2, 32, 32, 3)
    a = {'x': f32(x), 'target': target.numpy()}
    with torch.no_grad():
        a['eval_logits'] = f32(m(x)[0])
    weights = ds_weights(len(features) - 1)
    opt = torch.optim.SGD(m.parameters(), 0.01, weight_decay=3e-5, momentum=0.99, nesterov=True)
    params = dict(m.named_parameters())
    for step, lr in enumerate((0.01, 0.009)):
        for g in opt.param_groups:
            g['lr'] = lr
        opt.zero_grad(set_to_none=True)
        outs = m(x, True)
        loss = 0
        for i, o in enumerate(outs):
            if weights[i] != 0:
                t = F.interpolate(target[:, None].float(), o.shape[2:], mode='nearest-exact')[:, 0].long()
                loss = loss + weights[i] * dice_ce(o, t)
        loss.backward()
        if step == 0:
            for i, o in enumerate(outs):
                a['ds%d' % i] = f32(o)
            a['loss'] = np.float32(loss.item())
            for k in PLAIN_GRAD_KEYS:
                a['grad/' + k] = f32(params[k].grad)
            a['gradnorm'] = np.array([params[k].grad.double().norm().item() if params[k].grad is not None else np.nan
                                      for k in params], dtype=np.float64)
        else:
            a['loss2'] = np.float32(loss.item())
        torch.nn.utils.clip_grad_norm_(m.parameters(), 12)
        opt.step()
    for k in PLAIN_W_KEYS:
        a['w2/' + k] = f32(params[k])
    a['ds_weights'] = weights.astype(np.float64)
    save('plain_unet', a, keys)


def sgd():
    shapes = {'a': (3, 4), 'b': (5,), 'never': (2, 2)}
    ps = {k: nn.Parameter(torch.randn(*s)) for k, s in shapes.items()}
    a = {'p0/' + k: f32(p) for k, p in ps.items()}
    opt = torch.optim.SGD(list(ps.values()), 0.1, weight_decay=3e-5, momentum=0.99, nesterov=True)
    max_norm = 2.0
    for t, lr in enumerate((0.1, 0.08, 0.05, 0.02)):
        for g in opt.param_groups:
            g['lr'] = lr
        opt.zero_grad(set_to_none=True)
        scale = 3.0 if t % 2 == 0 else 0.1  # steps 0 and 2 are clipped, 1 and 3 are not
        for k in ('a', 'b'):
            g = torch.randn(*shapes[k]) * scale
            ps[k].grad = g.clone()
            a['g%d/%s' % (t, k)] = f32(g)
        torch.nn.utils.clip_grad_norm_(list(ps.values()), max_norm)
        opt.step()
        a['lr%d' % t] = np.float64(lr)
        for k, p in ps.items():
            a['w%d/%s' % (t, k)] = f32(p)
    a['max_norm'] = np.float64(max_norm)
    save('sgd', a)


if __name__ == '__main__':
    layers()
    sgd()
    plain_unet()
    resnet34_unet()
    print('written to', os.path.normpath(OUT))
