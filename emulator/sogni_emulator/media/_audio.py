"""Short music clips: a seeded pentatonic melody with low downbeats, as MP3, FLAC, M4A or WAV.

Samples are synthesised in pure Python (no numpy) at 44.1 kHz mono; WAV is written with the
standard ``wave`` module and the compressed formats are encoded by PyAV's bundled ffmpeg
(libmp3lame, the native FLAC and AAC encoders).
"""

from __future__ import annotations

import io
import math
import wave
from array import array
from fractions import Fraction
from functools import lru_cache

import av

from ._seeded import SeededStream

__all__ = ["AUDIO_CONTENT_TYPES", "normalize_audio_format", "render_audio", "synthesize_pcm"]

SAMPLE_RATE = 44100
MAX_DURATION_S = 600.0

#: Canonical format name -> MIME type of the encoded bytes.
AUDIO_CONTENT_TYPES: dict[str, str] = {
    "mp3": "audio/mpeg",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
}

_ALIASES = {
    "mp3": "mp3",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "flac": "flac",
    "audio/flac": "flac",
    "wav": "wav",
    "wave": "wav",
    "audio/wav": "wav",
    "audio/wave": "wav",
    "audio/x-wav": "wav",
    "m4a": "m4a",
    "aac": "m4a",
    "mp4": "m4a",
    "audio/mp4": "m4a",
    "audio/m4a": "m4a",
    "audio/x-m4a": "m4a",
    "audio/aac": "m4a",
}

# (container format, codec, bit rate or None)
_ENCODERS = {
    "mp3": ("mp3", "libmp3lame", 128_000),
    "flac": ("flac", "flac", None),
    "m4a": ("ipod", "aac", 96_000),
}

_PENTATONIC = (0, 2, 4, 7, 9)
_LEVELS = 24  # amplitude steps of the note envelope


@lru_cache(maxsize=64)
def _note_periods(midi: int) -> tuple[bytes, ...]:
    """One period of a note's waveform at each envelope level, as 16-bit PCM bytes.

    Notes are built by concatenating whole periods, so synthesis costs one small table per
    distinct pitch instead of a Python-level operation per sample. Rounding the period to whole
    samples detunes by at most a few cents, which nobody listening to a test fixture will mind.
    """
    freq = 440.0 * 2 ** ((midi - 69) / 12)
    period = max(2, round(SAMPLE_RATE / freq))
    # Fundamental plus two soft harmonics: a mellow, organ-like timbre.
    wave_shape = [
        (
            math.sin(math.tau * i / period)
            + 0.3 * math.sin(2 * math.tau * i / period)
            + 0.12 * math.sin(3 * math.tau * i / period)
        )
        / 1.42
        for i in range(period)
    ]
    out = []
    for level in range(_LEVELS + 1):
        gain = 0.7 * 32767 * level / _LEVELS
        pcm = array("h", [int(v * gain) for v in wave_shape])
        if not _little_endian():  # pragma: no cover - big-endian hosts only
            pcm.byteswap()
        out.append(pcm.tobytes())
    return tuple(out)


def normalize_audio_format(fmt: str) -> str:
    """Map a format name, extension or MIME type to ``mp3``, ``flac``, ``wav`` or ``m4a``.

    Args:
        fmt: For example ``"MP3"``, ``".wav"``, ``"audio/mpeg"``, ``"aac"``.

    Returns:
        The canonical name, a key of :data:`AUDIO_CONTENT_TYPES`.

    Raises:
        ValueError: The format is not one the emulator can encode.
    """
    key = fmt.strip().lower().lstrip(".")
    try:
        return _ALIASES[key]
    except KeyError:
        raise ValueError(f"unsupported audio format {fmt!r}") from None


def synthesize_pcm(prompt: str, seed: int, duration_s: float) -> bytes:
    """Synthesise signed 16-bit little-endian mono PCM at 44.1 kHz.

    Args:
        prompt: Request prompt (mixed into the seed).
        seed: Request seed.
        duration_s: Length in seconds, greater than 0 and at most 600.

    Returns:
        ``round(duration_s * 44100)`` samples, two bytes each.

    Raises:
        ValueError: Duration out of range.
    """
    if not 0 < duration_s <= MAX_DURATION_S:
        raise ValueError(f"duration_s must be in (0, {MAX_DURATION_S}], got {duration_s}")
    stream = SeededStream("audio", prompt, seed)
    total = max(1, round(duration_s * SAMPLE_RATE))
    root = 48 + stream.randint(0, 11)  # MIDI note of the key centre (C3..B3)
    beat = round(SAMPLE_RATE * 60 / stream.randint(84, 132) / 2)  # eighth notes
    parts: list[bytes] = []
    produced = 0
    step = 0
    while produced < total:
        if step % 8 == 0:
            midi = root - 12  # a low note on every downbeat stands in for a bass line
        else:
            midi = root + stream.choice(_PENTATONIC) + 12 * stream.randint(0, 1)
        length = beat * stream.choice((1, 1, 2, 2, 3, 4))
        periods = _note_periods(midi)
        period_len = len(periods[0]) // 2
        count = max(1, length // period_len)
        attack = max(1, count // 10)
        for k in range(count):
            if k < attack:
                env = (k + 1) / attack
            else:
                env = 1.0 - 0.8 * (k - attack) / max(1, count - attack)
            parts.append(periods[round(env * _LEVELS)])
        rest = length - count * period_len
        if rest > 0:
            parts.append(bytes(2 * rest))  # a short breath between notes
        produced += length
        step += 1
    return b"".join(parts)[: 2 * total]


def _little_endian() -> bool:
    return array("h", [1]).tobytes() == b"\x01\x00"


def _encode_wav(pcm: bytes) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(SAMPLE_RATE)
        writer.writeframes(pcm)
    return out.getvalue()


def _encode_with_av(pcm: bytes, fmt: str) -> bytes:
    container_format, codec, bit_rate = _ENCODERS[fmt]
    out = io.BytesIO()
    options = {"fflags": "+bitexact"}
    if fmt == "mp3":
        options["id3v2_version"] = "0"  # no ID3 tag: the file starts with an MPEG frame sync
    with av.open(out, mode="w", format=container_format, options=options) as container:
        astream = container.add_stream(codec, rate=SAMPLE_RATE, layout="mono")
        if bit_rate is not None:
            astream.bit_rate = bit_rate
        if fmt == "mp3":
            # LAME's quality knob: 7 halves encode time against the default with no audible
            # difference for a synthetic tone track.
            astream.codec_context.options = {"compression_level": "7"}
        chunk = 4096
        nsamples = len(pcm) // 2
        for start in range(0, nsamples, chunk):
            count = min(chunk, nsamples - start)
            frame = av.AudioFrame(format="s16", layout="mono", samples=count)
            frame.planes[0].update(pcm[2 * start : 2 * (start + count)])
            frame.sample_rate = SAMPLE_RATE
            frame.time_base = Fraction(1, SAMPLE_RATE)
            frame.pts = start
            for packet in astream.encode(frame):
                container.mux(packet)
        for packet in astream.encode(None):
            container.mux(packet)
    return out.getvalue()


def render_audio(prompt: str, seed: int, duration_s: float, fmt: str = "mp3") -> bytes:
    """Render a deterministic music clip for a prompt and seed.

    Args:
        prompt: Request prompt (mixed into the seed).
        seed: Request seed.
        duration_s: Length in seconds, greater than 0 and at most 600.
        fmt: ``mp3`` (the Supernet default), ``flac``, ``wav`` or ``m4a``/``aac``; extensions and
            MIME types are accepted too.

    Returns:
        The encoded file: 44.1 kHz mono.

    Raises:
        ValueError: Unsupported format or duration out of range.
    """
    canonical = normalize_audio_format(fmt)
    pcm = synthesize_pcm(prompt, seed, duration_s)
    if canonical == "wav":
        return _encode_wav(pcm)
    return _encode_with_av(pcm, canonical)
