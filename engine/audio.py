"""Audio side of the muxer: copy the source's audio packets, or transcode them when the
output container cannot hold the source codec (AAC for mp4/mov, Opus for webm).

Timestamps stay in the source's timeline in both paths (the video keeps its source pts too),
which is what keeps A/V sync. Only the muxing thread may call an :class:`AudioOutput`; it
decodes with the source stream's codec context, which no other thread touches.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import av

from motiontext.errors import DecodeError

# Codecs each output container takes as they are (what FFmpeg's muxers accept and players play).
_MP4_AUDIO = frozenset({"aac", "mp3", "opus", "flac", "alac", "ac3", "eac3"})
_PCM = frozenset({"pcm_s16le", "pcm_s16be", "pcm_s24le", "pcm_s24be", "pcm_f32le", "pcm_f32be"})
COPYABLE = {
    "mp4": _MP4_AUDIO,
    "mov": (_MP4_AUDIO - {"opus", "flac"}) | _PCM,
    "webm": frozenset({"opus", "vorbis"}),
}
TRANSCODE_CODEC = {"mp4": "aac", "mov": "aac", "webm": "libopus"}
_AAC_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000)
_DEFAULT_LAYOUTS = {1: "mono", 2: "stereo", 4: "quad", 6: "5.1", 8: "7.1"}
_BITS_PER_SECOND_PER_CHANNEL = {"aac": 96_000, "libopus": 64_000}


class AudioOutput:
    """One audio stream of the output container, fed with source packets in demux order.

    Create it before the container's header is written. ``copy`` tells which path it took.
    Source audio that will not decode raises DecodeError; other errors surface as PyAV
    exceptions, which the caller's boundary (engine.encode) translates.
    """

    def __init__(self, container: Any, source: Any, fmt: str):
        self._container = container
        self._source = source
        name = source.codec_context.name
        self.copy = name in COPYABLE[fmt]
        if self.copy:
            self.stream = container.add_stream_from_template(source)
            # A tag valid in the source container may be invalid in the output one: let the
            # muxer pick its default tag, as ffmpeg -c copy does.
            self.stream.codec_tag = "\0\0\0\0"
            self.codec_name = name
            return
        codec = TRANSCODE_CODEC[fmt]
        src_rate = int(source.codec_context.sample_rate or 48000)
        channels = int(source.codec_context.channels or 2)
        if codec == "libopus":
            rate = 48000  # Opus always runs at 48 kHz internally
            layout = "mono" if channels == 1 else "stereo"
        else:
            rate = src_rate if src_rate in _AAC_RATES else 48000
            layout = source.codec_context.layout.name
            if "channels" in layout or channels > 8:  # unordered ("2 channels") or too many
                layout = _DEFAULT_LAYOUTS.get(channels, "stereo")  # odd counts: downmix
        self.stream = container.add_stream(codec, rate=rate, layout=layout)
        self.stream.time_base = Fraction(1, rate)
        out_channels = av.AudioLayout(layout).nb_channels
        self.stream.codec_context.bit_rate = _BITS_PER_SECOND_PER_CHANNEL[codec] * out_channels
        self.codec_name = codec
        self._decoder = source.codec_context
        self._source_name = name
        self._next_pts: int | None = None

    def push(self, packet: av.Packet) -> None:
        """Mux (copy) or decode+encode+mux (transcode) one source audio packet."""
        if self.copy:
            packet.stream = self.stream
            self._container.mux(packet)
            return
        try:
            frames = self._decoder.decode(packet)
        except av.error.FFmpegError as exc:  # the source's fault, not the encoder's
            raise DecodeError(
                f"cannot decode the source audio ({self._source_name}): {exc}"
            ) from exc
        for frame in frames:
            self._encode(self._restamp(frame))

    def _restamp(self, frame: av.AudioFrame) -> av.AudioFrame:
        """Sample-exact, continuous pts (1/sample_rate): containers such as mkv round packet
        times to milliseconds, which would otherwise jitter every output packet. Real gaps
        (more than 5 ms) are kept."""
        rate = frame.sample_rate
        if frame.pts is not None and frame.time_base is not None:
            pts = round(frame.pts * frame.time_base * rate)
            if self._next_pts is not None and abs(pts - self._next_pts) <= rate // 200:
                pts = self._next_pts
        else:
            pts = self._next_pts or 0
        frame.pts, frame.time_base = pts, Fraction(1, rate)
        self._next_pts = pts + frame.samples
        return frame

    def _encode(self, frame: av.AudioFrame | None) -> None:
        # PyAV resamples to the encoder's format/rate and re-chunks to its frame size,
        # carrying pts across, so the source timeline survives the transcode.
        for out_packet in self.stream.encode(frame):
            self._container.mux(out_packet)

    def finish(self) -> None:
        """Flush the decoder and encoder (transcode only). Call once, before closing."""
        if self.copy:
            return
        for frame in self._decoder.decode(None):
            self._encode(self._restamp(frame))
        self._encode(None)
