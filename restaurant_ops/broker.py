"""kombu's filesystem transport, made safe for a worker that polls while a producer writes.

The stock transport opens the message file in the queue folder and then writes into it, so a worker
polling in between reads an empty file and dies with JSONDecodeError (kombu issue #1551). Here the
message is written to a hidden file (a name the reader skips) and renamed into place atomically.
The folders are made when the first channel opens (never at settings import).
"""

import os
import uuid
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class AtomicChannel(filesystem.Channel):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for folder in (self.data_folder_in, self.data_folder_out, self.processed_folder, self.control_folder):
            os.makedirs(folder, exist_ok=True)

    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final_path = os.path.join(self.data_folder_out, name)
        temp_path = os.path.join(self.data_folder_out, f".{uuid.uuid4()}.tmp")
        try:
            with open(temp_path, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(temp_path, final_path)
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add file {final_path!r} to directory") from exc


class AtomicFilesystemTransport(filesystem.Transport):
    Channel = AtomicChannel
