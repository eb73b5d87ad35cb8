#!/bin/sh
# Rebuilds ../wwwroot/vendor/markdown.js from the pinned npm packages (marked + DOMPurify). The output is committed:
# the server embeds it, and nothing is loaded from a CDN.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
npx esbuild markdown.js --bundle --minify --format=iife --target=es2020 --legal-comments=none \
  --outfile=../wwwroot/vendor/markdown.js
printf '/*! marked (MIT) https://github.com/markedjs/marked · DOMPurify (MPL-2.0 OR Apache-2.0) https://github.com/cure53/DOMPurify */\n' | cat - ../wwwroot/vendor/markdown.js > ../wwwroot/vendor/markdown.js.tmp
mv ../wwwroot/vendor/markdown.js.tmp ../wwwroot/vendor/markdown.js
ls -l ../wwwroot/vendor/markdown.js
