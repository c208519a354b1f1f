#!/usr/bin/env bash
# Builds the static web demo into web-demo/dist: the page's files, the npm package `relance` as
# published (packed with npm pack, unpacked into vendor/relance), the sample ledger, and the
# service worker's list of files to keep offline. Builds the package first when it is missing or
# older than its sources.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=wasm/package/dist/relance_wasm_bg.wasm
if [ ! -f "$pkg" ] || [ -n "$(find core wasm/src wasm/package/src Cargo.lock -newer "$pkg" -print -quit)" ]; then
  bash scripts/build-wasm.sh
fi
out=web-demo/dist
rm -rf "$out" && mkdir -p "$out/vendor/relance"
cp web-demo/src/* "$out/"
node scripts/prerender-demo.mjs "$out"
# The dashboard's sample: the open invoices of samples/ledger.json and the paid ones before them.
cp samples/history.json "$out/sample-ledger.json"
# The chart library, from the workspace's npm packages (installed here when a checkout predates it).
[ -f node_modules/uplot/dist/uPlot.esm.js ] || npm install --no-audit --no-fund
mkdir -p "$out/vendor/uplot"
node_modules/.bin/esbuild node_modules/uplot/dist/uPlot.esm.js --minify --format=esm --log-level=warning --outfile="$out/vendor/uplot/uPlot.esm.js"
cp node_modules/uplot/dist/uPlot.min.css node_modules/uplot/LICENSE "$out/vendor/uplot/"
tarball=$(cd wasm/package && npm pack --silent --pack-destination "$OLDPWD/$out")
tar -xzf "$out/$tarball" -C "$out/vendor/relance" --strip-components=1
rm "$out/$tarball"
# The offline cache: every file a browser uses, under a version that changes with their content
# (not the package's Node.js entries and speed-first module, 1.8 MB a browser never loads, nor the
# readers module, downloaded only when a visitor drops an e-invoice; nor _headers, which the server
# reads and never serves).
files=$(cd "$out" && find . -type f ! -name sw.js ! -name _headers ! -name 'node.*' ! -name relance_wasm_node.wasm \
  ! -name relance_readers_wasm_bg.wasm | sort | sed 's|^\./||')
version=$(cd "$out" && cat $files | sha256sum | cut -c1-16)
list=$(printf '%s\n' ./ $files | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify(s.trim().split("\n"))))')
sed -i "s|__VERSION__|relance-$version|; s|__FILES__|$list|" "$out/sw.js"
# Left out of the deployment's static assets ([assets] in wrangler.toml): what no browser loads.
printf '%s\n' 'vendor/relance/dist/node.*' 'vendor/relance/dist/relance_wasm_node.wasm' > "$out/.assetsignore"
echo "web-demo/dist: $(echo "$files" | wc -l) files, cache relance-$version"
