#!/usr/bin/env python3
"""Every link in the documentation resolves: relative links and #anchors in
README.md and docs/*.md, and every alert's runbook_url in monitoring/.

Usage: check_links.py ROOT [MARKDOWN...]
With no MARKDOWN files given, checks README.md, docs/*.md, sql/README.md,
monitoring/METRICS.md and the runbook_url
of monitoring/alerts.yml and monitoring/alerts_test.yml under ROOT. Prints one
line per broken link (FILE:LINE: what is wrong) and exits 1 if there is any.

Anchors follow GitHub's rule: the heading's text lower-cased, punctuation
other than - and _ dropped, spaces turned to -, and a repeated heading gets
-1, -2, ... Headings inside fenced code blocks are not headings.
"""
import glob
import os
import re
import sys

RUNBOOK_BASE = 'https://r-seed-0a16d70d.example/fitbot_partman/blob/main/'
LINK = re.compile(r'(?<!\!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^()\s]+)(?:\s+"[^"]*")?\)')
IMAGE = re.compile(r'!\[[^\]]*\]\(([^()\s]+)\)')


def prose_lines(path):
    """(line number, text) of the lines outside fenced code blocks, inline code removed."""
    fence = None
    for number, line in enumerate(open(path, encoding='utf-8'), 1):
        stripped = line.strip()
        m = re.match(r'(`{3,}|~{3,})', stripped)
        if m:
            if fence is None:
                fence = m.group(1)[0] * len(m.group(1))
                continue
            if stripped.startswith(fence):
                fence = None
                continue
        if fence is None:
            yield number, line


def strip_code_spans(text):
    return re.sub(r'(`+)(.+?)\1', '', text)


def slug(heading):
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', heading)   # a link in a heading counts by its text
    text = re.sub(r'<[^>]+>', '', text).strip().lower()
    text = re.sub(r'[^\w\- ]', '', text, flags=re.UNICODE)
    return text.replace(' ', '-')


_anchors = {}


def anchors(path):
    if path not in _anchors:
        seen, found = {}, set()
        for _, line in prose_lines(path):
            m = re.match(r'(#{1,6})\s+(.*?)\s*#*\s*$', line)
            if not m:
                continue
            base = slug(m.group(2))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else f'{base}-{n}')
        for _, line in prose_lines(path):   # explicit <a id="..."> / <a name="..."> anchors
            found.update(re.findall(r'<a\s+(?:id|name)="([^"]+)"', line))
        _anchors[path] = found
    return _anchors[path]


def check_target(root, source, target):
    """None when TARGET (as written in SOURCE) resolves, else what is wrong."""
    path, _, anchor = target.partition('#')
    if path:
        if path.startswith('/'):
            return f'{target}: an absolute path; links are relative to the file'
        resolved = os.path.normpath(os.path.join(os.path.dirname(source), path))
        if not os.path.abspath(resolved).startswith(os.path.abspath(root) + os.sep):
            return f'{target}: leaves the repository'
        if not os.path.exists(resolved):
            return f'{target}: no file {os.path.relpath(resolved, root)}'
    else:
        resolved = source
    if anchor:
        if not resolved.endswith('.md') or os.path.isdir(resolved):
            return f'{target}: an #anchor into a file that is not Markdown'
        if anchor not in anchors(resolved):
            return f'{target}: no heading #{anchor} in {os.path.relpath(resolved, root)}'
    return None


def check_markdown(root, path):
    problems, count = [], 0
    for number, line in prose_lines(path):
        text = strip_code_spans(line)
        for m in list(LINK.finditer(text)) + list(IMAGE.finditer(text)):
            target = m.group(1).strip('<>')
            if re.match(r'[a-z][a-z0-9+.-]*:', target):   # http:, https:, mailto: ...
                continue
            count += 1
            wrong = check_target(root, path, target)
            if wrong:
                problems.append(f'{os.path.relpath(path, root)}:{number}: {wrong}')
    return problems, count


def check_runbooks(root, path):
    problems, count = [], 0
    for number, line in enumerate(open(path, encoding='utf-8'), 1):
        m = re.search(r'runbook_url:\s*(\S+)', line)
        if not m:
            continue
        count += 1
        url = m.group(1).strip('\'"')
        where = f'{os.path.relpath(path, root)}:{number}'
        if not url.startswith(RUNBOOK_BASE):
            problems.append(f'{where}: {url}: not under the base {RUNBOOK_BASE}')
            continue
        target = url[len(RUNBOOK_BASE):]
        if '#' not in target:
            problems.append(f'{where}: {url}: no #anchor to a runbook section')
            continue
        wrong = check_target(root, os.path.join(root, 'README.md'), target)
        if wrong:
            problems.append(f'{where}: {wrong}')
    return problems, count


def main():
    root = os.path.abspath(sys.argv[1])
    files = [os.path.abspath(f) for f in sys.argv[2:]]
    runbooks = []
    if not files:
        files = [os.path.join(root, 'README.md')] + sorted(glob.glob(os.path.join(root, 'docs', '*.md')))
        files += [f for f in (os.path.join(root, 'sql', 'README.md'), os.path.join(root, 'monitoring', 'METRICS.md'))
                  if os.path.exists(f)]
        runbooks = [os.path.join(root, 'monitoring', f) for f in ('alerts.yml', 'alerts_test.yml')]
    problems, links = [], 0
    for f in files:
        p, n = check_markdown(root, f)
        problems += p
        links += n
    for f in runbooks:
        p, n = check_runbooks(root, f)
        problems += p
        links += n
    print('\n'.join(problems) if problems else f'{links} links in {len(files)} Markdown files and {len(runbooks)} rule files resolve')
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
