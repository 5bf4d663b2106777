#!/usr/bin/env python3
"""Turn a tmux capture of the running app into the README's PNG screenshot.

    tmux new -d -s shot -x 120 -y 36 'cargo run --release'
    tmux capture-pane -t shot -e -p | python3 assets/screenshot.py 120 36 assets/screenshot.png

Needs `pip install pillow pyte` and the DejaVu Sans Mono font (Debian: fonts-dejavu-core). The
capture is replayed through a terminal emulator (pyte), so the picture shows exactly the cells
the app drew, with their colours.
"""

import sys

import pyte
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 15
BG = (30, 31, 40)
FG = (220, 220, 215)
PALETTE = {
    "black": (40, 42, 54), "red": (235, 95, 95), "green": (120, 200, 120),
    "brown": (225, 190, 100), "yellow": (225, 190, 100), "blue": (100, 150, 240),
    "magenta": (200, 130, 220), "cyan": (90, 200, 210), "white": (200, 200, 200),
    "brightblack": (120, 120, 130), "brightred": (255, 120, 120),
    "brightgreen": (150, 230, 150), "brightyellow": (250, 220, 120),
    "brightblue": (130, 175, 255), "brightmagenta": (225, 160, 240),
    "brightcyan": (130, 225, 235), "brightwhite": (250, 250, 250),
}


def colour(name, default):
    if name == "default":
        return default
    if name in PALETTE:
        return PALETTE[name]
    try:
        return tuple(int(name[i:i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return default


def main():
    cols, rows, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    screen = pyte.Screen(cols, rows)
    stream = pyte.Stream(screen)
    stream.feed(sys.stdin.read().rstrip("\n").replace("\n", "\r\n"))
    font, bold = ImageFont.truetype(FONT, SIZE), ImageFont.truetype(BOLD, SIZE)
    left, top, right, bottom = font.getbbox("M")
    cw, ch = font.getlength("M"), int(SIZE * 1.3)
    pad = 12
    img = Image.new("RGB", (int(cols * cw) + 2 * pad, rows * ch + 2 * pad), BG)
    draw = ImageDraw.Draw(img)
    for y in range(rows):
        line = screen.buffer[y]
        for x in range(cols):
            cell = line[x]
            fg, bg = colour(cell.fg, FG), colour(cell.bg, BG)
            if cell.reverse:
                fg, bg = (bg if cell.bg != "default" else BG), (fg if cell.fg != "default" else FG)
            px, py = pad + x * cw, pad + y * ch
            if bg != BG:
                draw.rectangle([px, py, px + cw, py + ch], fill=bg)
            if cell.data.strip():
                draw.text((px, py + (ch - (bottom - top)) / 2 - top), cell.data, fill=fg,
                          font=bold if cell.bold else font)
    img.save(out)


if __name__ == "__main__":
    main()
