#!/usr/bin/env bash
# Makes the board's voice clips (static/voice/vi/): one clip per word of core/queue/speech.py's
# vocabulary, spoken by espeak-ng's Vietnamese voice, trimmed of silence, peak-levelled
# and compressed twice: Ogg/Opus (small, first choice) and MP3 (for browsers without Opus).
# Plus the chime. Run from the project folder after changing the vocabulary:
#   apt-get install -y espeak-ng ffmpeg && scripts/make_voice_clips.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
OUT=static/voice/vi
VOICE=${VOICE:-vi}        # espeak-ng -v vi: the Northern (Hà Nội) voice
SPEED=${SPEED:-140}       # words per minute: a little slower than espeak-ng's 175, for a hall
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

for tool in espeak-ng ffmpeg; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install -y $tool)" >&2; exit 1; }
done
mkdir -p "$OUT"
rm -f "$OUT"/*.ogg "$OUT"/*.mp3

# Trim leading and trailing silence (the board spaces the words itself).
TRIM="silenceremove=start_periods=1:start_threshold=-45dB,areverse,\
silenceremove=start_periods=1:start_threshold=-45dB,areverse"

peak_gain() {  # the gain (dB) that brings the loudest sample of a file to -1.5 dBFS
  ffmpeg -nostdin -i "$1" -af volumedetect -f null - 2>&1 \
    | awk '/max_volume/ { printf "%.1f", -1.5 - $5 }'
}

encode() {  # encode SOURCE.wav SLUG [FILTER]
  local source=$1 slug=$2 filter=${3:-anull}
  ffmpeg -nostdin -loglevel error -y -i "$source" -af "$filter" -ac 1 -ar 48000 \
    -c:a libopus -b:a 24k -application voip "$OUT/$slug.ogg"
  ffmpeg -nostdin -loglevel error -y -i "$source" -af "$filter" -ac 1 -ar 22050 \
    -c:a libmp3lame -b:a 32k "$OUT/$slug.mp3"
}

"$PYTHON" -m core.queue.speech > "$WORK/vocabulary.tsv"
total=$(wc -l < "$WORK/vocabulary.tsv")
done_count=0
while IFS=$'\t' read -r slug text; do
  espeak-ng -v "$VOICE" -s "$SPEED" -w "$WORK/$slug.wav" "$text"
  encode "$WORK/$slug.wav" "$slug" "$TRIM,volume=$(peak_gain "$WORK/$slug.wav")dB"
  done_count=$((done_count + 1))
  printf '\r[%-30s] %d/%d %s            ' \
    "$(printf '#%.0s' $(seq 1 $((done_count * 30 / total))))" "$done_count" "$total" "$slug"
done < "$WORK/vocabulary.tsv"
echo

"$PYTHON" scripts/make_chime.py "$WORK/chime.wav"
encode "$WORK/chime.wav" chime

echo "$(ls "$OUT" | wc -l) files, $(du -sh "$OUT" | cut -f1) in $OUT"
