"""The torch modules of the neural embedders, built at ``fit``.

Kept apart from the estimators so that importing the package does not
import torch: the estimators import this module when they build or train
a network.
"""

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["AutoencoderNet", "SkipPoseNet", "view_info_nce"]

_CELLS = {"gru": nn.GRU, "lstm": nn.LSTM, "rnn": nn.RNN}


class SkipPoseNet(nn.Module):
    """The skip-pose encoder-decoder (Figures 2 and 3 of the paper).

    * ``fc_in`` (FC*): one fully connected layer + tanh applied to every pose,
      shared by the encoder and both decoders (the decoders feed it zeros);
    * ``encoder``: a bidirectional recurrent layer over the current window;
      its final forward and backward states are averaged into ``h_c``
      (equations 1-2);
    * ``decoder_past`` / ``decoder_future``: recurrent layers started from
      ``h_c`` that reconstruct the past and future windows (equations 3-4);
    * ``fc_out`` (FC**): the output layer shared by both decoders;
    * ``head``: a two-layer projection of ``h_c`` used only by the optional
      contrastive term of :class:`SkipPoseEmbedder` (``contrastive > 0``);
      built last, so the other layers start from the same weights either
      way, and never part of the embedding.
    """

    def __init__(self, n_features, n_components, window, cell="gru", decode_past=True):
        super().__init__()
        rnn = _CELLS[cell]
        self.cell = cell
        self.window = window
        self.decode_past = decode_past
        self.fc_in = nn.Linear(n_features, n_components)
        self.encoder = rnn(n_components, n_components, batch_first=True, bidirectional=True)
        self.decoder_future = rnn(n_components, n_components, batch_first=True)
        self.decoder_past = rnn(n_components, n_components, batch_first=True) if decode_past else None
        self.fc_out = nn.Linear(n_components, n_features)
        self.head = nn.Sequential(nn.Linear(n_components, n_components), nn.ReLU(),
                                  nn.Linear(n_components, n_components))

    def encode(self, x, m):
        """``h_c`` of windows ``x`` (n, window, n_features) with masks ``m``."""
        z = torch.tanh(self.fc_in(x * m))
        _, h = self.encoder(z)
        if self.cell == "lstm":
            h, c = h
            return (h[0] + h[1]) / 2, (c[0] + c[1]) / 2
        return (h[0] + h[1]) / 2, None

    def decode(self, decoder, h_c, c_c, n):
        zeros = torch.zeros(n, self.window, self.fc_in.in_features, device=h_c.device,
                            dtype=h_c.dtype)
        inp = torch.tanh(self.fc_in(zeros))
        state = h_c.unsqueeze(0)
        if self.cell == "lstm":
            state = (state, c_c.unsqueeze(0))
        out, _ = decoder(inp, state)
        return self.fc_out(out)

    def forward(self, x, m):
        """Reconstructions of the past and future windows of triplets.

        ``x``, ``m``: (n, 3 * window, n_features) when decoding the past,
        (n, 2 * window, n_features) otherwise (current window first).
        """
        past, future, _ = self.reconstruct(x, m)
        return past, future

    def reconstruct(self, x, m):
        """``forward``'s reconstructions and the encoding ``h_c`` they came from."""
        w = self.window
        cur = slice(w, 2 * w) if self.decode_past else slice(0, w)
        h_c, c_c = self.encode(x[:, cur], m[:, cur])
        n = x.shape[0]
        future = self.decode(self.decoder_future, h_c, c_c, n)
        past = self.decode(self.decoder_past, h_c, c_c, n) if self.decode_past else None
        return past, future, h_c


def view_info_nce(a, b, temperature):
    """Symmetric InfoNCE between two views of the same samples.

    Row ``i`` of ``a`` and row ``i`` of ``b`` are the positive pair; every
    other row of the batch is a negative. Similarities are cosines divided by
    ``temperature``; the loss is the mean of the cross-entropies of
    ``a -> b`` and ``b -> a`` (the NT-Xent of SimCLR without the in-view
    negatives).

    Parameters
    ----------
    a, b : torch.Tensor of shape (n, d)
        Projections of the two views.
    temperature : float
        Softmax temperature (> 0).

    Returns
    -------
    loss : torch.Tensor
        Scalar; 0 for fewer than two rows (no negatives).
    """
    if len(a) < 2:
        return a.sum() * 0.0
    logits = F.normalize(a, dim=1) @ F.normalize(b, dim=1).T / temperature
    target = torch.arange(len(a), device=a.device)
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2


class AutoencoderNet(nn.Module):
    """Baseline 2: the same FC layers and hidden size without recurrence.

    FC* (+ tanh) on every pose, the window's FC* outputs concatenated and
    mapped to the ``n_components`` code (+ tanh); the decoder mirrors it and
    FC** maps every frame back to the features.
    """

    def __init__(self, n_features, n_components, window):
        super().__init__()
        self.window = window
        self.fc_in = nn.Linear(n_features, n_components)
        self.to_code = nn.Linear(window * n_components, n_components)
        self.from_code = nn.Linear(n_components, window * n_components)
        self.fc_out = nn.Linear(n_components, n_features)

    def encode(self, x, m):
        z = torch.tanh(self.fc_in(x * m))
        return torch.tanh(self.to_code(z.flatten(1)))

    def forward(self, x, m):
        code = self.encode(x, m)
        z = torch.tanh(self.from_code(code)).view(len(x), self.window, -1)
        return self.fc_out(z)
