"""Content-Encoding decoded by hand, bounded per layer and in total.

httpx decodes a whole chunk at once, so `Content-Encoding: gzip, gzip` (5 KB on the wire, 1 GiB
inside) would expand in memory before any size cap could look at it. Here every layer is a zlib
stream asked for at most `limit + 1` bytes per call, so no layer ever holds more than the cap.
"""

from __future__ import annotations

import zlib

#: More layers than this is not a real server's answer.
MAX_LAYERS = 3
_WBITS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


class DecodeError(ValueError):
    """The body is not what its Content-Encoding says. `reason` is a fixed string:
    content_encoding_invalid | content_encoding_unsupported | content_encoding_too_deep."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DecodedTooLarge(ValueError):
    """A layer decoded to more than the cap."""


class _Layer:
    def __init__(self, name: str) -> None:
        self.name, self.produced = name, 0
        self._z = zlib.decompressobj(_WBITS[name])
        self._started = False

    def feed(self, data: bytes, limit: int) -> bytes:
        try:
            out = self._z.decompress(data, limit - self.produced + 1)
        except zlib.error:
            if self.name != "deflate" or self._started:
                raise DecodeError("content_encoding_invalid") from None
            # Some servers send raw deflate without the zlib header (httpx tolerates it too).
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            self._started = True
            return self.feed(data, limit)
        self._started = True
        self.produced += len(out)
        if self.produced > limit:
            raise DecodedTooLarge(self.name)
        return out


class BoundedDecoder:
    """Decode a body chunk by chunk; no layer may produce more than `limit` bytes."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        names = [n.strip().lower() for n in content_encoding.split(",") if n.strip()]
        names = [n for n in names if n != "identity"]
        if len(names) > MAX_LAYERS:
            raise DecodeError("content_encoding_too_deep")
        if any(n not in _WBITS for n in names):
            raise DecodeError("content_encoding_unsupported")
        # The last encoding listed was applied last, so it is undone first.
        self._layers = [_Layer(n) for n in reversed(names)]
        self._limit = limit

    def feed(self, chunk: bytes) -> bytes:
        for layer in self._layers:
            if not chunk:
                break
            chunk = layer.feed(chunk, self._limit)
        return chunk
