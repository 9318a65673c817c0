#!/usr/bin/env python3
"""SPDX licence identifiers: every source file tracked by git names its licence.

  scripts/spdx.py           add `SPDX-License-Identifier: MIT` where it is missing
  scripts/spdx.py --check   list the files without it and exit 1 (the test command runs this)

Sources are C, headers, SWIG interfaces, Python, shell, Lua, SQL and build files;
data (fuzz corpora, test vectors, JSON, CSV) and documents are left alone.
"""
import subprocess, os, sys
check = '--check' in sys.argv[1:]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
files = subprocess.run(['git', '-C', root, 'ls-files'], capture_output=True, text=True).stdout.split()
TAG = 'SPDX-License-Identifier: MIT'
styles = {'.c': ('/* ', ' */'), '.h': ('/* ', ' */'), '.i': ('/* ', ' */'), '.lua': ('-- ', ''),
          '.sql': ('-- ', ''), '.py': ('# ', ''), '.pyi': ('# ', ''), '.sh': ('# ', ''), '.cmake': ('# ', ''),
          '.spec': ('# ', ''), '.js': ('// ', ''), '.css': ('/* ', ' */')}
changed = 0
for f in files:
    # pg_regress echoes every line of a test script into its results: pg/test stays as it is.
    if f.startswith(('fuzz/corpus/', 'tests/vectors/', 'pg/test/')) or '/corpus/' in f:
        continue
    base = os.path.basename(f)
    ext = os.path.splitext(base)[1]
    if base in ('meson.build', 'meson_options.txt', 'meson.options', 'Makefile', 'CMakeLists.txt'):
        style = ('# ', '')
    elif ext in styles:
        style = styles[ext]
    elif ext == '' and f.startswith(('scripts/', '.ci/')):
        style = ('# ', '')
    else:
        continue
    p = os.path.join(root, f)
    if os.path.islink(p) or not os.path.isfile(p):
        continue
    try:
        text = open(p, encoding='utf-8').read()
    except UnicodeDecodeError:
        continue
    if TAG in text[:400]:
        continue
    if check:
        print(f, file=sys.stderr)
        changed += 1
        continue
    line = style[0] + TAG + style[1] + '\n'
    lines = text.splitlines(True)
    if lines and lines[0].startswith('#!'):
        lines.insert(1, line)
    else:
        lines.insert(0, line)
    open(p, 'w', encoding='utf-8').write(''.join(lines))
    changed += 1
if check:
    if changed:
        print(f'{changed} source files without an SPDX licence identifier (run scripts/spdx.py)', file=sys.stderr)
        sys.exit(1)
    print('every source file names its licence (SPDX)')
else:
    print(changed, 'files tagged')
