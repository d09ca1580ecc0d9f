"""``manage.py media_bucket_create``: make sure the object store holds the
media bucket (``MEDIA_S3_BUCKET``), as compose does before gunicorn starts.

A bucket it creates lets anyone read its objects (not list them): product
images are public, and pages link them by plain URLs. Safe to run on every
start: an existing bucket is left as it is, with the policy its owner gave it.
With media on local disk there is nothing to do.
"""

import json
import time
from typing import Any

from botocore.exceptions import ClientError, EndpointConnectionError
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from storages.backends.s3 import S3Storage


class Command(BaseCommand):
    help = "Create the S3 media bucket (MEDIA_S3_BUCKET) unless it exists."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wait", type=float, default=30.0, help="seconds to wait for the object store to answer"
        )

    def handle(self, *args: Any, wait: float, **options: Any) -> None:
        if not isinstance(default_storage, S3Storage):
            self.stdout.write("Media are stored on local disk: no bucket to create.")
            return
        client = default_storage.connection.meta.client
        bucket = default_storage.bucket_name
        deadline = time.monotonic() + wait
        while True:
            try:
                client.head_bucket(Bucket=bucket)
            except EndpointConnectionError as exc:  # the store is still starting
                if time.monotonic() > deadline:
                    raise CommandError(f"The object store did not answer: {exc}") from exc
                time.sleep(1)
                continue
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
                    raise CommandError(f"Cannot use bucket {bucket!r}: {exc}") from exc
                break
            self.stdout.write(f"Bucket {bucket!r} exists.")
            return
        region = default_storage.region_name
        if region and region != "us-east-1":
            client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
        else:
            client.create_bucket(Bucket=bucket)
        public_read = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicReadObjects",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
        try:
            client.put_bucket_policy(Bucket=bucket, Policy=json.dumps(public_read))
        except ClientError as exc:  # a store without bucket policies has its own switch
            self.stderr.write(
                f"Bucket {bucket!r} created, but its policy was refused ({exc}): "
                "let the store allow anonymous reads of it."
            )
            return
        self.stdout.write(f"Bucket {bucket!r} created; anyone may read its objects.")
