#!/usr/bin/env bash
# Refreshes the committed front-end assets in collab_api/web/static from the npm registry, at
# the pinned versions below. The built files are committed (with their licences) so that
# `make run` and `make test` need neither npm nor the internet; run this only to upgrade.
#
#   nhsuk-frontend  compiled CSS and JS, images, manifest (MIT). Its @font-face rules load
#                   Frutiger from assets.nhs.uk, which is licensed to NHS.UK and which many
#                   networks cannot reach: they are removed, and text falls back to Arial as
#                   the frontend's own font stack says.
#   graphiql, react, react-dom   the UMD builds GraphiQL's page loads (MIT).
#   accessible-autocomplete      GOV.UK's accessible autocomplete (MIT): the organisation finder's
#                   suggestions as you type, loaded only on pages with a finder.
set -euo pipefail
NHSUK=10.6.1 GRAPHIQL=3.9.0 REACT=18.3.1 AUTOCOMPLETE=3.0.1
here=$(cd "$(dirname "$0")/.." && pwd)
static="$here/collab_api/web/static"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "nhsuk-frontend@$NHSUK" "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" \
  "accessible-autocomplete@$AUTOCOMPLETE" >/dev/null
for f in *.tgz; do mkdir "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done
n="nhsuk-frontend-$NHSUK/package"
rm -rf "$static/nhsuk" "$static/graphiql"; mkdir -p "$static/nhsuk/images" "$static/graphiql"
python3 - "$n/dist/nhsuk/nhsuk-frontend.min.css" "$static/nhsuk/nhsuk-frontend.min.css" <<'PY'
import re, sys
css = open(sys.argv[1], encoding="utf-8").read()
css = re.sub(r"@font-face\{[^}]*assets\.nhs\.uk[^}]*\}", "", css)
css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
assert "assets.nhs.uk" not in css and "http" not in css.replace("http://www.w3.org", "")
open(sys.argv[2], "w", encoding="utf-8").write(css)
PY
sed 's#//\# sourceMappingURL=[^ ]*$##' "$n/dist/nhsuk/nhsuk-frontend.min.js" > "$static/nhsuk/nhsuk-frontend.min.js"
cp "$n/dist/nhsuk/assets/images/"* "$static/nhsuk/images/"
cp "$n/dist/nhsuk/assets/manifest.json" "$static/nhsuk/"
# The npm package carries no licence file; its README says: "The codebase is released under
# the MIT Licence, unless stated otherwise ... The documentation is (c) NHS England".
{ grep -A2 '^## Licence' "$n/README.md"; printf '\nnhsuk-frontend %s, from the npm registry. MIT Licence:\n\n' "$NHSUK"; cat "$here/scripts/MIT-LICENCE.txt"; } > "$static/nhsuk/LICENCE"
g="graphiql-$GRAPHIQL/package"
sed 's#//\# sourceMappingURL=[^ ]*$##' "$g/graphiql.min.js" > "$static/graphiql/graphiql.min.js"
sed 's#/\*\# sourceMappingURL=[^*]*\*/##' "$g/graphiql.min.css" > "$static/graphiql/graphiql.min.css"
cp "react-$REACT/package/umd/react.production.min.js" "react-dom-$REACT/package/umd/react-dom.production.min.js" "$static/graphiql/"
cp "$g/LICENSE" "$static/graphiql/LICENSE-graphiql"
cp "react-$REACT/package/LICENSE" "$static/graphiql/LICENSE-react"
cp "react-dom-$REACT/package/LICENSE" "$static/graphiql/LICENSE-react-dom"
a="accessible-autocomplete-$AUTOCOMPLETE/package"
rm -rf "$static/autocomplete"; mkdir -p "$static/autocomplete"
sed 's#//\# sourceMappingURL=[^ ]*$##' "$a/dist/accessible-autocomplete.min.js" > "$static/autocomplete/accessible-autocomplete.min.js"
sed 's#/\*\# sourceMappingURL=[^*]*\*/##' "$a/dist/accessible-autocomplete.min.css" > "$static/autocomplete/accessible-autocomplete.min.css"
cp "$a/LICENSE.txt" "$static/autocomplete/LICENSE"
printf 'nhsuk-frontend %s\ngraphiql %s\nreact %s\nreact-dom %s\naccessible-autocomplete %s\n' "$NHSUK" "$GRAPHIQL" "$REACT" "$REACT" \
  "$AUTOCOMPLETE" > "$static/VERSIONS"
echo "vendored into $static"
