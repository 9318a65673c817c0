#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes a man page (roff, man macros) from a tool's own --help output.

    help2man.py PROGRAM-BINARY NAME [COMMAND] -o OUT.1

The page is generated at build time from the program that is installed, so
it follows whatever options the program has. The help text has one shape for
every command (tools/common, docs/cli.md):

    usage: prepay tariff bill T.json READINGS.csv [--json]
    <blank>
    Description paragraphs.
    <blank>
    options:            (or "commands:")
      --opt ARG      what it does
                     continued
    <blank>
    Notes paragraphs.
    <blank>
    Exit status: ...

A command with "commands:" gets a COMMANDS section and, for each of them, a
subsection with that command's own --help. Only the Python standard library
is used; no network, no date in the page (reproducible builds).
"""
import argparse
import re
import subprocess
import sys


def run(binary, args):
    out = subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         check=False, timeout=120)
    if out.returncode != 0:
        sys.exit(f"help2man: '{' '.join([binary] + args)}' exited with {out.returncode}: "
                 f"{out.stderr.decode('utf-8', 'replace').strip()}")
    return out.stdout.decode("utf-8")


def esc(text):
    """Roff-escapes running text: backslashes, hyphens and leading control characters."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def parse(help_text):
    """Splits --help output into usage, blocks of (kind, lines) and the exit-status text."""
    lines = help_text.rstrip("\n").split("\n")
    usage = []
    i = 0
    if not lines or not lines[0].startswith("usage: "):
        sys.exit("help2man: the help text does not start with 'usage: '")
    usage.append(lines[0][len("usage: "):].strip())
    i = 1
    while i < len(lines) and lines[i].startswith(" ") and lines[i].strip():
        usage.append(lines[i].strip())
        i += 1
    blocks = []
    exit_status = ""
    paragraph = []

    def flush():
        if paragraph:
            blocks.append(("text", list(paragraph)))
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        if not line.strip():
            flush()
            i += 1
            continue
        heading = re.match(r"^(options|commands):$", line)
        if heading:
            flush()
            items = []
            i += 1
            while i < len(lines) and lines[i].startswith("  "):
                m = re.match(r"^  (\S.*?)(?:\s{2,}(\S.*))?$", lines[i])
                indent = len(lines[i]) - len(lines[i].lstrip())
                if items and indent > 4:
                    items[-1][1].append(lines[i].strip())
                else:
                    items.append((m.group(1).strip(), [m.group(2).strip()] if m.group(2) else []))
                i += 1
            blocks.append((heading.group(1), items))
            continue
        if line.startswith("Exit status:"):
            flush()
            exit_status = line[len("Exit status:"):].strip()
            i += 1
            while i < len(lines) and lines[i].strip():
                exit_status += " " + lines[i].strip()
                i += 1
            continue
        # "Text. Commands:" followed by indented items (prepay ledger): a list of its own.
        if line.endswith("Commands:") or line.endswith("commands:"):
            paragraph.append(line)
            flush()
            items = []
            i += 1
            while i < len(lines) and lines[i].startswith("  "):
                items.append(lines[i].strip())
                i += 1
            blocks.append(("list", items))
            continue
        paragraph.append(line)
        i += 1
    flush()
    return usage, blocks, exit_status


def emit_blocks(out, blocks, binary, base_args, depth, expand=True):
    for kind, content in blocks:
        if kind == "text":
            out.append(".PP")
            out.extend(esc(line.strip()) for line in content)
        elif kind == "list":
            for item in content:
                parts = re.split(r"\s{2,}", item, maxsplit=1)
                term, desc = parts[0], parts[1] if len(parts) > 1 else ""
                out.append(".TP")
                out.append("\\fB" + esc(term) + "\\fR")
                out.append(esc(desc))
        elif kind in ("options", "commands"):
            if depth == 0:
                out.append(".SH " + kind.upper())
            else:
                out.append(".PP")
                out.append("\\fI" + kind.capitalize() + ":\\fR")
            for term, desc in content:
                out.append(".TP")
                out.append("\\fB" + esc(term) + "\\fR")
                out.append(esc(" ".join(desc)) if desc else "")
            if kind == "commands" and depth == 0 and expand:
                for term, _ in content:
                    sub_help = run(binary, base_args + [term, "--help"])
                    usage, sub_blocks, _ = parse(sub_help)
                    out.append(".SS " + esc(" ".join(base_args + [term])))
                    out.append(".nf")
                    out.extend(esc(u) for u in usage)
                    out.append(".fi")
                    emit_blocks(out, sub_blocks, binary, base_args + [term], depth + 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary")
    ap.add_argument("name", help="program name as users type it (prepay, prepay-emu)")
    ap.add_argument("command", nargs="?", help="subcommand: makes the page NAME-COMMAND(1)")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--summary", help="NAME line text (default: from the parent's command list)")
    ap.add_argument("--see-also", default="", help="comma-separated page names")
    ap.add_argument("--no-expand", action="store_true",
                    help="list the commands without a subsection each (they have their own pages)")
    a = ap.parse_args()

    base = [a.command] if a.command else []
    version = run(a.binary, ["--version"]).strip().split("\n")[0]
    help_text = run(a.binary, base + ["--help"])
    usage, blocks, exit_status = parse(help_text)
    summary = a.summary
    if summary is None and a.command:
        _, top_blocks, _ = parse(run(a.binary, ["--help"]))
        for kind, content in top_blocks:
            if kind == "commands":
                summary = dict(content).get(a.command, [""])
                summary = " ".join(summary)
    if not summary:
        first_text = next((c for k, c in blocks if k == "text"), [""])
        summary = first_text[0].rstrip(".")
    page = a.name + ("-" + a.command if a.command else "")

    out = [
        '.\\" Generated by docs/man/help2man.py from the output of',
        '.\\" "%s --help"; do not edit.' % " ".join([a.name] + base),
        '.TH "%s" "1" "" "%s" "libprepay manual"' % (page.upper(), esc(version)),
        ".SH NAME",
        esc(page) + " \\- " + esc(summary),
        ".SH SYNOPSIS",
        ".nf",
    ]
    out.extend(esc(u) for u in usage)
    out.append(".fi")
    out.append(".SH DESCRIPTION")
    if not blocks or blocks[0][0] != "text":
        out.append(".PP")
        out.append(esc(summary[:1].upper() + summary[1:] + "."))
    emit_blocks(out, blocks, a.binary, base, 0, expand=not a.no_expand)
    if a.no_expand and any(k == "commands" for k, _ in blocks):
        out.append(".PP")
        out.append("Each command has its own page: " + esc(a.name + "-COMMAND") + "(1).")
    if exit_status:
        out.append(".SH EXIT STATUS")
        out.append(esc(exit_status))
    see = [s for s in a.see_also.split(",") if s and s != page]
    out.append(".SH SEE ALSO")
    refs = [".BR %s (1)%s" % (esc(s), "," if n + 1 < len(see) else "") for n, s in enumerate(see)]
    out.extend(refs)
    out.append(".PP")
    out.append("The libprepay documentation: docs/cli.md, docs/emulator.md and docs/architecture.md "
               "in the source tree; the API reference is built by doxygen docs/Doxyfile.".replace("-", "\\-"))
    with open(a.output, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
