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

    Parameters
    ----------
    n_features : int
        Features per frame (``2 * n_joints`` for poses).
    n_components : int
        Hidden size of every layer, the dimension of ``h_c``.
    window : int
        Frames per window (the paper's ``T``).
    cell : {"gru", "lstm", "rnn"}, default="gru"
        Recurrent cell of the encoder and the decoders.
    decode_past : bool, default=True
        Build the past decoder (False: future decoder only).

    Examples
    --------
    >>> import torch
    >>> from sklearn_skippose.embedding import SkipPoseNet
    >>> net = SkipPoseNet(n_features=4, n_components=8, window=2)
    >>> x = torch.zeros(5, 6, 4)  # five triplets: past, current, future windows
    >>> past, future = net(x, torch.ones_like(x))
    >>> tuple(past.shape), tuple(net.encode(x[:, 2:4], torch.ones(5, 2, 4))[0].shape)
    ((5, 2, 4), (5, 8))
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
        """Encode windows into ``h_c``.

        Parameters
        ----------
        x : torch.Tensor of shape (n, window, n_features)
            Windows of poses (missing keypoints may hold anything).
        m : torch.Tensor of shape (n, window, n_features)
            Binary masks, 0 on missing keypoints (their inputs are zeroed).

        Returns
        -------
        h_c : torch.Tensor of shape (n, n_components)
            The embedding: the mean of the encoder's final forward and
            backward states.
        c_c : torch.Tensor of shape (n, n_components) or None
            The same for the LSTM's cell state; None for the other cells.
        """
        z = torch.tanh(self.fc_in(x * m))
        _, h = self.encoder(z)
        if self.cell == "lstm":
            h, c = h
            return (h[0] + h[1]) / 2, (c[0] + c[1]) / 2
        return (h[0] + h[1]) / 2, None

    def decode(self, decoder, h_c, c_c, n):
        """Reconstruct one window from an encoding.

        Parameters
        ----------
        decoder : torch.nn.Module
            ``decoder_past`` or ``decoder_future``; its inputs are ``fc_in``
            of zeros.
        h_c : torch.Tensor of shape (n, n_components)
            The encoding, the decoder's initial hidden state.
        c_c : torch.Tensor of shape (n, n_components) or None
            The LSTM's initial cell state (None for the other cells).
        n : int
            Number of windows.

        Returns
        -------
        window : torch.Tensor of shape (n, window, n_features)
            The reconstruction.
        """
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

        Parameters
        ----------
        x : torch.Tensor of shape (n, 3 * window, n_features)
            Triplets of windows: past, current, future; without the past
            decoder, (n, 2 * window, n_features), current window first.
        m : torch.Tensor of the shape of ``x``
            Binary masks, 0 on missing keypoints.

        Returns
        -------
        past : torch.Tensor of shape (n, window, n_features) or None
            Reconstruction of the past window (None without the past
            decoder).
        future : torch.Tensor of shape (n, window, n_features)
            Reconstruction of the future window.
        """
        past, future, _ = self.reconstruct(x, m)
        return past, future

    def reconstruct(self, x, m):
        """``forward``'s reconstructions and the encoding they came from.

        Parameters
        ----------
        x, m : torch.Tensor
            As in :meth:`forward`.

        Returns
        -------
        past, future : torch.Tensor or None
            As in :meth:`forward`.
        h_c : torch.Tensor of shape (n, n_components)
            The encoding of the current windows.
        """
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

    Examples
    --------
    >>> import torch
    >>> from sklearn_skippose.embedding import view_info_nce
    >>> a = torch.eye(4)
    >>> matched = view_info_nce(a, a, temperature=0.1)     # every row finds its pair
    >>> shuffled = view_info_nce(a, a.roll(1, dims=0), temperature=0.1)
    >>> bool(matched < 0.01), bool(shuffled > 5)
    (True, True)
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

    Parameters
    ----------
    n_features : int
        Features per frame.
    n_components : int
        Hidden size and code size.
    window : int
        Frames per window.

    Examples
    --------
    >>> import torch
    >>> from sklearn_skippose.embedding import AutoencoderNet
    >>> net = AutoencoderNet(n_features=4, n_components=8, window=3)
    >>> x = torch.zeros(5, 3, 4)
    >>> tuple(net(x, torch.ones_like(x)).shape), tuple(net.encode(x, torch.ones_like(x)).shape)
    ((5, 3, 4), (5, 8))
    """

    def __init__(self, n_features, n_components, window):
        super().__init__()
        self.window = window
        self.fc_in = nn.Linear(n_features, n_components)
        self.to_code = nn.Linear(window * n_components, n_components)
        self.from_code = nn.Linear(n_components, window * n_components)
        self.fc_out = nn.Linear(n_components, n_features)

    def encode(self, x, m):
        """Encode windows into codes.

        Parameters
        ----------
        x : torch.Tensor of shape (n, window, n_features)
            Windows of poses.
        m : torch.Tensor of shape (n, window, n_features)
            Binary masks, 0 on missing keypoints (their inputs are zeroed).

        Returns
        -------
        code : torch.Tensor of shape (n, n_components)
            The embedding of every window.
        """
        z = torch.tanh(self.fc_in(x * m))
        return torch.tanh(self.to_code(z.flatten(1)))

    def forward(self, x, m):
        """Reconstruct windows through their codes.

        Parameters
        ----------
        x, m : torch.Tensor of shape (n, window, n_features)
            Windows and their binary masks, as in :meth:`encode`.

        Returns
        -------
        reconstruction : torch.Tensor of shape (n, window, n_features)
            The decoded windows.
        """
        code = self.encode(x, m)
        z = torch.tanh(self.from_code(code)).view(len(x), self.window, -1)
        return self.fc_out(z)
