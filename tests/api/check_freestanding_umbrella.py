#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that the freestanding umbrella prepay.h declares nothing hosted.

The hosted functions are the global symbols that the static library's
`*_hosted.c` / `*_posix.c` objects define (nm, so the list is what the build
really compiled, not a hand-kept one). The script

1. preprocesses prepay.h under freestanding conditions: `-ffreestanding
   -nostdinc` with only the compiler's own header directory (stdint.h,
   stddef.h, stdbool.h), so a hosted libc header (stdio.h, stdlib.h, even
   string.h) reachable from prepay.h fails; it also compiles a translation
   unit of prepay.h alone with -Wall -Wextra -Wpedantic -Werror;
2. fails if any identifier of the preprocessed prepay.h is a hosted symbol;
3. checks that prepay_hosted.h declares every public hosted function (so
   each has a home, and the identifier scan of step 2 sees declarations);
4. runs step 2 on prepay.h plus journal_posix.h and expects it to report a
   leak: the check itself can fail.

usage: check_freestanding_umbrella.py --lib LIBPREPAY.a --include INCLUDE_DIR
                                      --nm NM -- CC [CC_ARGS...]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HOSTED_OBJECT = re.compile(r'(_hosted|_posix)\.c\.(o|obj)$')
IDENTIFIER = re.compile(r'\b[A-Za-z_][A-Za-z0-9_]*\b')


def hosted_symbols(nm, lib):
    out = subprocess.run([nm, '--defined-only', '-g', '-A', lib], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        # "libprepay.a:src_ledger_journal_posix.c.o:0000000000000000 T prepay_journal_posix_open"
        head, _, rest = line.rpartition(':')
        fields = rest.split()
        if len(fields) < 2 or not HOSTED_OBJECT.search(head):
            continue
        name = fields[-1]
        if name.startswith('prepay_'):
            names.add(name)
    return names


def preprocess(cc, include, headers, freestanding):
    source = ''.join(f'#include "prepay/{h}"\n' for h in headers)
    args = cc + ['-std=c11', '-E', '-P', '-I', include]
    if freestanding:
        sysinc = subprocess.run(cc + ['-print-file-name=include'], check=True,
                                capture_output=True, text=True).stdout.strip()
        args += ['-ffreestanding', '-nostdinc', '-isystem', sysinc]
    args += ['-x', 'c', '-']
    done = subprocess.run(args, input=source, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f'freestanding-umbrella: cannot preprocess {" ".join(headers)}'
                         + (' under -ffreestanding -nostdinc (a hosted libc header?)' if freestanding else ''))
    return set(IDENTIFIER.findall(done.stdout))


def compile_alone(cc, include):
    sysinc = subprocess.run(cc + ['-print-file-name=include'], check=True,
                            capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'umbrella.c')
        with open(src, 'w', encoding='utf-8') as f:
            f.write('#include "prepay/prepay.h"\n'
                    'int umbrella_ok(void);\n'
                    'int umbrella_ok(void) { return PREPAY_OK; }\n')
        done = subprocess.run(cc + ['-std=c11', '-ffreestanding', '-nostdinc', '-isystem', sysinc,
                                    '-Wall', '-Wextra', '-Wpedantic', '-Werror', '-I', include,
                                    '-c', src, '-o', os.path.join(tmp, 'umbrella.o')],
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            raise SystemExit('freestanding-umbrella: prepay.h alone does not compile freestanding')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--lib', required=True)
    parser.add_argument('--include', required=True)
    parser.add_argument('--nm', required=True)
    parser.add_argument('cc', nargs='+')
    opts = parser.parse_args()

    hosted = hosted_symbols(opts.nm, opts.lib)
    public = {n for n in hosted if not n.startswith('prepay__')}
    if 'prepay_journal_posix_open' not in public:
        raise SystemExit(f'freestanding-umbrella: nm found no hosted functions in {opts.lib} '
                         f'(found {sorted(hosted)})')

    compile_alone(opts.cc, opts.include)
    leaked = sorted(preprocess(opts.cc, opts.include, ['prepay.h'], True) & hosted)
    if leaked:
        print('freestanding-umbrella: prepay.h declares functions of hosted files:')
        for name in leaked:
            print('  ' + name)
        return 1

    missing = sorted(public - preprocess(opts.cc, opts.include, ['prepay_hosted.h'], False))
    if missing:
        print('freestanding-umbrella: hosted functions that no header of prepay_hosted.h declares:')
        for name in missing:
            print('  ' + name)
        return 1

    # The check must be able to fail: with a hosted header added it reports leaks.
    control = preprocess(opts.cc, opts.include, ['prepay.h', 'journal_posix.h'], True) & hosted
    if 'prepay_journal_posix_open' not in control:
        raise SystemExit('freestanding-umbrella: the negative control (prepay.h + journal_posix.h) '
                         'was not reported; the check is broken')

    print(f'freestanding-umbrella: OK ({len(public)} public hosted functions, none reachable '
          f'from prepay.h, all declared by prepay_hosted.h)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
