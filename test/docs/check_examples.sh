#!/usr/bin/env bash
# Every ```sql example in docs/*.md must be run by a regression test: each
# block, whitespace folded, has to appear verbatim in some sql/*.sql file.
# Prints one TAP line per doc page.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
fold() { tr -s ' \t\n' ' ' | sed 's/^ //; s/ $//'; }
tests=$(cat "$top"/sql/*.sql | fold)
status=0
for doc in "$top"/docs/*.md; do
	name=$(basename "$doc")
	missing=0
	total=0
	while IFS= read -r -d $'\x1e' block; do
		[ -n "$block" ] || continue
		total=$((total + 1))
		folded=$(printf '%s' "$block" | fold)
		if [[ "$tests" != *"$folded"* ]]; then
			missing=$((missing + 1))
			echo "# $name: example not run by any sql/*.sql test: $(printf '%s' "$folded" | cut -c1-120)"
		fi
	done < <(awk '/^```sql[ \t]*$/ {inb=1; next} /^```/ && inb {inb=0; printf "%s", "\x1e"; next} inb {print}' "$doc")
	[ $total -eq 0 ] && continue
	if [ $missing -eq 0 ]; then echo "ok - $name: $total examples run by regression tests"
	else echo "not ok - $name: $missing of $total examples not run by regression tests"; status=1; fi
done
exit $status
