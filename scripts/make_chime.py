"""Write the board's two-note chime ("ding-dong") as a WAV file: a small bell, synthesised.

Usage: python scripts/make_chime.py OUTPUT.wav
"""

import math
import struct
import sys
import wave

RATE = 24000
# Two bell strikes, a major third apart (E5 then C5), each ringing out.
STRIKES = ((0.0, 659.25), (0.42, 523.25))
LENGTH_SECONDS = 1.5
# Partials of a soft bell: (frequency ratio, loudness, decay per second).
PARTIALS = ((1.0, 1.0, 3.2), (2.0, 0.35, 5.0), (3.0, 0.12, 7.5), (4.2, 0.05, 9.0))


def sample(moment: float) -> float:
    value = 0.0
    for start, frequency in STRIKES:
        age = moment - start
        if age < 0:
            continue
        attack = min(age / 0.004, 1.0)  # 4 ms attack: no click
        for ratio, loudness, decay in PARTIALS:
            value += (
                attack
                * loudness
                * math.exp(-decay * age)
                * math.sin(2 * math.pi * frequency * ratio * age)
            )
    fade_out = min((LENGTH_SECONDS - moment) / 0.05, 1.0)
    return value * fade_out


def main(path: str) -> None:
    frames = [sample(index / RATE) for index in range(int(RATE * LENGTH_SECONDS))]
    peak = max(abs(value) for value in frames)
    with wave.open(path, "wb") as output:
        output.setnchannels(1)
        output.setsampwidth(2)
        output.setframerate(RATE)
        output.writeframes(
            b"".join(struct.pack("<h", int(value / peak * 0.5 * 32767)) for value in frames)
        )


if __name__ == "__main__":
    main(sys.argv[1])
