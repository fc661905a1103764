#!/usr/bin/env python3
"""The man page and --help agree, so neither can drift from the other.

Usage: check_manpage.py PROGRAM MANPAGE

Reads `PROGRAM --help` and `PROGRAM COMMAND --help` for every command it lists,
and MANPAGE (troff), and checks:
  - the commands of --help are exactly the entries of the man page's COMMANDS;
  - the global options of --help are exactly the options the OPTIONS section
    defines (its .TP tags);
  - each command's own options appear in that command's entry of COMMANDS, and
    an entry names only options of its command or global ones;
  - every option the man page names anywhere is an option of the program.
Prints what disagrees and exits 1, or prints what it compared and exits 0.
"""
import re
import subprocess
import sys

OPTION = re.compile(r'(?<![\w-])--[a-z][a-z0-9.]*(?:-[a-z0-9.]+)*')


def run_help(program, *command):
    out = subprocess.run([program, *command, '--help'], capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        sys.exit(f'{program} {" ".join(command)} --help exited {out.returncode}: {out.stderr.strip()}')
    return out.stdout


def help_sections(text):
    """{'options': [...option tokens...], 'subcommands': [...names...]} of one --help page (CLI11)."""
    sections, current = {'options': set(), 'subcommands': set()}, None
    for line in text.splitlines():
        header = re.match(r'^([A-Za-z ]+):\s*$', line)
        if header:
            name = header.group(1).strip().lower()
            current = name if name in sections else None
            continue
        if not line.strip():
            if current == 'subcommands':
                current = None
            continue
        if current == 'options':
            m = re.match(r'^\s+(-\S+(?:\s*,\s*-\S+)*)', line)   # "  -t,--timeout INT   ..." / "  --listen,--web.listen-address"
            if m:
                sections['options'].update(OPTION.findall(m.group(1)))
        elif current == 'subcommands':
            m = re.match(r'^\s+([a-z][a-z0-9-]*)\s', line + ' ')
            if m:
                sections['subcommands'].add(m.group(1))
    return sections


def man_sections(text):
    """{SECTION NAME: text} of a troff man page, with \\- read as -."""
    text = text.replace('\\-', '-')
    parts = re.split(r'^\.SH\s+"?([^"\n]+?)"?\s*$', text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def tagged_entries(section):
    """[(tag line, body)] of the .TP entries of a section."""
    entries = []
    for block in re.split(r'^\.TP\s*$', section, flags=re.M)[1:]:
        lines = block.strip('\n').split('\n')
        entries.append((lines[0], '\n'.join(lines[1:])))
    return entries


def main():
    program, manpage = sys.argv[1], sys.argv[2]
    top = help_sections(run_help(program))
    commands = sorted(top['subcommands'])
    global_options = top['options']
    own = {c: help_sections(run_help(program, c))['options'] - global_options - {'--help'} for c in commands}
    every_option = global_options | set().union(*own.values())

    man = man_sections(open(manpage, encoding='utf-8').read())
    problems = []
    for needed in ('COMMANDS', 'OPTIONS'):
        if needed not in man:
            problems.append(f'{manpage}: no .SH {needed} section')
    if problems:
        print('\n'.join(problems))
        return 1

    entries = {}
    for tag, body in tagged_entries(man['COMMANDS']):
        m = re.match(r'^\.B\s+(\S+)', tag)
        if m:
            entries[m.group(1)] = body
        else:
            problems.append(f'COMMANDS: an entry that names no command: {tag!r}')
    for c in commands:
        if c not in entries:
            problems.append(f'command {c}: in --help, not in the man page\'s COMMANDS')
    for c in entries:
        if c not in commands:
            problems.append(f'command {c}: in the man page\'s COMMANDS, not in --help')

    defined = set()
    for tag, _ in tagged_entries(man['OPTIONS']):
        defined.update(OPTION.findall(tag))
    for o in sorted(global_options - defined):
        problems.append(f'option {o}: in --help, not defined in the man page\'s OPTIONS')
    for o in sorted(defined - global_options):
        problems.append(f'option {o}: defined in the man page\'s OPTIONS, not a global option of --help')

    for c in commands:
        named = set(OPTION.findall(entries.get(c, '')))
        for o in sorted(own[c] - named):
            problems.append(f'option {o} of {c}: in `{c} --help`, not in the man page\'s entry for {c}')
        for o in sorted(named - own[c] - global_options):
            problems.append(f'option {o}: the man page\'s entry for {c} names it, `{c} --help` has no such option')

    for section, text in man.items():
        for o in sorted(set(OPTION.findall(text)) - every_option):
            problems.append(f'option {o}: named in the man page\'s {section}, not an option of {program}')

    if problems:
        print('\n'.join(problems))
        return 1
    print(f'{len(commands)} commands ({", ".join(commands)}), {len(global_options)} global options and '
          f'{sum(len(v) for v in own.values())} command options agree between --help and {manpage}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
