#!/usr/bin/env python3
"""Exports a CLIP model's text and image towers to TorchScript for imu2clip's C++ towers.

Needs PyTorch and OpenAI's `clip` package (pip install git+https://github.com/openai/CLIP) or
`open_clip` (pip install open_clip_torch); not run in CI. Writes into OUT_DIR:

  text.pt    forward(tokens: int64 [N, context_length]) -> float32 [N, embed_dim]  (model.encode_text)
  image.pt   forward(images: float32 [N, 3, crop, crop]) -> float32 [N, embed_dim] (model.encode_image)
  bpe_simple_vocab_16e6.txt.gz   the tokenizer's merges, copied from the package
  clip.json  embed_dim, context_length, file names and the image preprocessing (resize, interpolation,
             crop, mean, std) read from the model's own preprocess transform

Then: imu2clip tokenize --vocab OUT_DIR/bpe_simple_vocab_16e6.txt.gz "a person walking"
      imu2clip pretrain --tower clip:OUT_DIR ...

Usage: python3 scripts/export_clip.py [--model ViT-B/32] [--library clip|open_clip] [--pretrained NAME] OUT_DIR
"""
import argparse
import gzip
import json
import os
import shutil
import sys

import torch


class TextTower(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, tokens):
        return self.model.encode_text(tokens).float()


class ImageTower(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, images):
        return self.model.encode_image(images).float()


def preprocess_settings(preprocess):
    """Resize / CenterCrop / Normalize of the model's torchvision transform, as clip.json wants them."""
    from torchvision import transforms

    out = {}
    for t in getattr(preprocess, "transforms", []):
        if isinstance(t, transforms.Resize):
            size = t.size if isinstance(t.size, int) else t.size[0]
            if not isinstance(t.size, int) and len(t.size) == 2 and t.size[0] != t.size[1]:
                sys.exit(f"unsupported Resize{t.size}: imu2clip resizes the shorter side")
            mode = str(t.interpolation).lower()
            if "bicubic" not in mode and "bilinear" not in mode:
                sys.exit(f"unsupported interpolation {t.interpolation}: imu2clip does bicubic and bilinear")
            out["resize"] = int(size)
            out["interpolation"] = "bicubic" if "bicubic" in mode else "bilinear"
        elif isinstance(t, transforms.CenterCrop):
            out["crop"] = int(t.size[0] if not isinstance(t.size, int) else t.size)
        elif isinstance(t, transforms.Normalize):
            out["mean"] = [float(x) for x in t.mean]
            out["std"] = [float(x) for x in t.std]
    missing = {"resize", "crop", "mean", "std"} - out.keys()
    if missing:
        sys.exit(f"the model's preprocess lacks {sorted(missing)}; cannot describe it in clip.json")
    return out


def load(args):
    if args.library == "clip":
        import clip

        model, preprocess = clip.load(args.model, device="cpu", jit=False)
        vocab = os.path.join(os.path.dirname(clip.__file__), "bpe_simple_vocab_16e6.txt.gz")
        context_length = model.context_length
        tokenize = clip.tokenize
    else:
        import open_clip

        model, _, preprocess = open_clip.create_model_and_transforms(args.model, pretrained=args.pretrained,
                                                                     device="cpu")
        vocab = os.path.join(os.path.dirname(open_clip.__file__), "bpe_simple_vocab_16e6.txt.gz")
        context_length = getattr(model, "context_length", 77)
        tokenize = open_clip.get_tokenizer(args.model)
    return model.float().eval(), preprocess, vocab, context_length, tokenize


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out_dir")
    p.add_argument("--model", default="ViT-B/32", help="CLIP model name (default: ViT-B/32, the paper's)")
    p.add_argument("--library", choices=["clip", "open_clip"], default="clip")
    p.add_argument("--pretrained", default="openai", help="open_clip weights tag (default: openai)")
    args = p.parse_args()

    model, preprocess, vocab, context_length, tokenize = load(args)
    image = preprocess_settings(preprocess)
    os.makedirs(args.out_dir, exist_ok=True)

    with torch.no_grad():
        tokens = tokenize(["a person walking", "riding a bike"])
        text = torch.jit.trace(TextTower(model), (tokens,))
        images = torch.zeros(2, 3, image["crop"], image["crop"])
        visual = torch.jit.trace(ImageTower(model), (images,))
        embed_dim = int(text(tokens).shape[1])
        # The traced towers must agree with the eager model on inputs other than the example's.
        check = tokenize(["a dog jumping over a fence, quickly"])
        if not torch.allclose(text(check), TextTower(model)(check), atol=1e-4):
            sys.exit("the traced text tower differs from the model; export failed")
    text.save(os.path.join(args.out_dir, "text.pt"))
    visual.save(os.path.join(args.out_dir, "image.pt"))
    vocab_name = "bpe_simple_vocab_16e6.txt.gz"
    shutil.copyfile(vocab, os.path.join(args.out_dir, vocab_name))
    with gzip.open(vocab, "rt", encoding="utf-8") as f:
        merges = sum(1 for _ in f) - 1
    config = {
        "format": "imu2clip-clip-v1",
        "model": args.model,
        "embed_dim": embed_dim,
        "context_length": int(context_length),
        "vocab": vocab_name,
        "vocab_merges_in_file": merges,
        "text_tower": "text.pt",
        "image_tower": "image.pt",
        "image": image,
    }
    with open(os.path.join(args.out_dir, "clip.json"), "w") as f:
        json.dump(config, f, indent=2)
    print(f"wrote {args.out_dir}: {args.model}, embed_dim {embed_dim}, context {context_length}, image {image}")


if __name__ == "__main__":
    main()
