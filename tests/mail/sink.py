"""An SMTP server on loopback for the hub's e-mail tests: aiosmtpd (an independent SMTP
implementation) receives each message; the handler decodes it with Python's email package
and appends one JSON line per recipient to the file named on the command line:
{"to": ..., "from": ..., "subject": ..., "body": ..., "message_id": ..., "content_type": ...}.

    python sink.py <port> <messages.jsonl>

Prints "listening" once it accepts connections.
"""
import asyncio
import email
import email.policy
import json
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, path):
        self.path = path

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        record = {
            "from": envelope.mail_from,
            "subject": str(message["Subject"]),
            "body": body.get_content() if body is not None else "",
            "message_id": str(message["Message-ID"]),
            "content_type": message.get_content_type(),
        }
        with open(self.path, "a", encoding="utf-8") as out:
            for recipient in envelope.rcpt_tos:
                out.write(json.dumps({"to": recipient, **record}) + "\n")
        return "250 Message accepted for delivery"


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(path), hostname="127.0.0.1", port=port)
    controller.start()
    print("listening", flush=True)
    try:
        asyncio.new_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
