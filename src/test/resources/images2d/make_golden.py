# Small images written by PIL (Debian python3-pil 9.4.0) for Images2DTest: pixel values follow formulas the
# test recomputes. Grey: v(x, y) = 1000·x + 7·y + 3 (16-bit) and (40·x + 9·y) % 256 (8-bit).
import numpy as np
from PIL import Image

w, h = 7, 5
x, y = np.meshgrid(np.arange(w), np.arange(h))
g16 = (1000 * x + 7 * y + 3).astype(np.uint16)
Image.fromarray(g16, mode="I;16").save("grey16.png")
Image.fromarray(g16, mode="I;16").save("grey16.tif")
g8 = ((40 * x + 9 * y) % 256).astype(np.uint8)
Image.fromarray(g8, mode="L").save("grey8.bmp")
rgb = np.stack([g8, (255 - g8), ((x * y * 11) % 256).astype(np.uint8)], axis=-1)
Image.fromarray(rgb, mode="RGB").save("rgb8.tif")
# Palette: index (x + y) % 4 into red, green, blue, white.
p = Image.fromarray(((x + y) % 4).astype(np.uint8), mode="P")
p.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255] + [0] * (256 * 3 - 12))
p.save("palette.png")
