"""``jisheng exchange``: the two-way notification with other systems (issue 17).

jisheng exchange key --out FILE          this system's public key file
jisheng exchange add-key FILE            add (or replace) another system's key
jisheng exchange export [--receiver CODE] --out FILE
                                         every outgoing notice/reply not exported yet
jisheng exchange import FILE             import another system's file; prints a report
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jisheng.exchange import transfer


class Command(BaseCommand):
    help = "Two-way notification with other systems: keys, export, import."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        key = sub.add_parser("key", help="write this system's public key file")
        key.add_argument("--out", required=True)
        add = sub.add_parser("add-key", help="add another system's public key file")
        add.add_argument("file")
        export = sub.add_parser("export", help="export the outgoing notices not exported yet")
        export.add_argument("--receiver", default="")
        export.add_argument("--out", required=True)
        imp = sub.add_parser("import", help="import a file of another system")
        imp.add_argument("file")

    def handle(self, *args: object, **options: str) -> None:
        action = options["action"]
        if action == "key":
            data = transfer.key_file()
            Path(options["out"]).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
            self.stdout.write(f"{data['instance']}: {data['public_key']} → {options['out']}")
        elif action == "add-key":
            try:
                peer = transfer.peer_key_add(actor=None, content=self._read(options["file"]))
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            self.stdout.write(f"{peer.instance} ({peer.name}): {peer.public_key}")
        elif action == "export":
            exported = transfer.export_file(actor=None, receiver_code=options["receiver"])
            text = json.dumps(exported, ensure_ascii=False, indent=1)
            Path(options["out"]).write_text(text + "\n", encoding="utf-8")
            messages = exported["messages"]
            count = len(messages) if isinstance(messages, list) else 0
            self.stdout.write(f"{count} → {options['out']}")
        else:
            report = transfer.import_file(actor=None, content=self._read(options["file"]))
            for line in report.lines():
                self.stdout.write(line)
            if report.file_error:
                raise CommandError(report.file_error)

    def _read(self, name: str) -> bytes:
        try:
            return Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
