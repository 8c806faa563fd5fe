#!/usr/bin/env bash
# Copy a folder into a dated archive and keep only the newest seven.
set -euo pipefail

src=${1:?usage: backup.sh FOLDER [DEST]}
dest=${2:-"$HOME/backups"}
mkdir -p "$dest"

stamp=$(date +%Y-%m-%d_%H%M%S)
archive="$dest/$(basename "$src")-$stamp.tar.gz"
tar -czf "$archive" -C "$(dirname "$src")" "$(basename "$src")"
echo "wrote $archive"

# newest first; delete everything after the seventh
ls -1t "$dest"/*.tar.gz | tail -n +8 | while read -r old; do
  echo "removing $old"
  rm -f -- "$old"
done
