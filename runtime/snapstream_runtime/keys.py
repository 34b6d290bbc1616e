"""Key builders for the single DynamoDB table and the uploads bucket (the data model)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote_plus

from snapstream_runtime.contract import UPLOADS_PREFIX

_ID = r"[0-9a-f]{32}"
_UPLOAD_KEY = re.compile(rf"^uploads/(?P<user>{_ID})/(?P<media>{_ID})/(?P<name>[^/]+)$")


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


PROFILE_SK = "PROFILE"
META_SK = "META"


def media_pk(media_id: str) -> str:
    return f"MEDIA#{media_id}"


def owner_index_pk(user_id: str) -> str:
    return f"OWNER#{user_id}"


def all_uploads_index_pk(created_at: str) -> str:
    """GSI2 partition: one per month (``ALL#2026-11``) so that admin listings stay paginated."""
    return f"ALL#{created_at[:7]}"


def kind_index_pk(user_id: str, kind: str) -> str:
    """GSI4 partition: a user's media of one kind (kind never changes)."""
    return f"OWNER#{user_id}#KIND#{kind}"


def status_index_pk(user_id: str, status: str) -> str:
    """GSI5 partition: a user's media in one status (moves with every status change)."""
    return f"OWNER#{user_id}#STATUS#{status}"


def kind_status_index_pk(user_id: str, kind: str, status: str) -> str:
    """GSI6 partition: a user's media of one kind in one status."""
    return f"OWNER#{user_id}#KIND#{kind}#STATUS#{status}"


def month_status_index_pk(created_at: str, status: str) -> str:
    """GSI7 partition: every user's uploads of one month in one status (administrators)."""
    return f"ALL#{created_at[:7]}#STATUS#{status}"


#: bytes of the folded title in the GSI8 sort key (DynamoDB allows 1,024 for the whole key:
#: NFKC may turn one character into 18, so 200 characters can fold to 6,600 bytes)
NAME_SORT_BYTES = 900


def name_sort_key(title: str, media_id: str) -> str:
    """GSI8 sort key: the title as it sorts for people (case and width folded, cut to
    :data:`NAME_SORT_BYTES`), then the id."""
    folded = unicodedata.normalize("NFKC", title).casefold().encode()[:NAME_SORT_BYTES]
    return f"{folded.decode(errors='ignore')}#{media_id}"


def title_word_pk(user_id: str, prefix: str) -> str:
    """A title-word search partition: a user's media with a title word starting ``prefix``."""
    return f"TITLE#{user_id}#{prefix}"


#: GSI2 partition of media being deleted (operators list stuck deletions with one Query).
DELETING_INDEX_PK = "DELETING"


def deleting_owner_index_pk(user_id: str) -> str:
    """GSI1 partition of a user's media being deleted (off their library, still findable)."""
    return f"DELETING#{user_id}"


def watch_index_pk(status: str) -> str:
    """GSI3 partition (sparse) of the media in a status the stuck-media sweeper watches."""
    return f"WATCH#{status}"


def email_key(email: str) -> dict[str, str]:
    """The claim that makes an (already normalized) e-mail address unique."""
    return {"pk": f"EMAIL#{email}", "sk": "EMAIL"}


def username_key(username: str) -> dict[str, str]:
    return {"pk": f"USERNAME#{username.casefold()}", "sk": "USERNAME"}


def login_key(email: str) -> dict[str, str]:
    """Failed logins of one e-mail address (expires by TTL)."""
    return {"pk": f"LOGIN#{email}", "sk": "LOGIN"}


def login_address_key(address: str) -> dict[str, str]:
    """Failed logins from one client address (expires by TTL). The partition cannot be an
    e-mail address's (an address has no ``@``), and the sort key differs too."""
    return {"pk": f"LOGIN#{address}", "sk": "ADDRESS"}


def session_key(session_hash: str) -> dict[str, str]:
    """A login session, by the SHA-256 of the id its cookie carries (expires by TTL)."""
    return {"pk": f"SESSION#{session_hash}", "sk": "SESSION"}


def sessions_index_pk(user_id: str) -> str:
    """GSI1 partition of a user's sessions (the profile page lists them; revoking ends them)."""
    return f"SESSIONS#{user_id}"


def profile_key(user_id: str) -> dict[str, str]:
    return {"pk": user_pk(user_id), "sk": PROFILE_SK}


def hash_key(owner_id: str, sha256: str) -> dict[str, str]:
    """An owner's claim on a content hash (finds duplicate uploads)."""
    return {"pk": f"HASH#{owner_id}#{sha256}", "sk": "HASH"}


def newest_first_sk(created_at: str, media_id: str) -> str:
    return f"{created_at}#{media_id}"


def notification_sk(created_at: str, notification_id: str) -> str:
    return f"NOTIF#{created_at}#{notification_id}"


def upload_key(user_id: str, media_id: str, safe_name: str) -> str:
    return f"{UPLOADS_PREFIX}{user_id}/{media_id}/{safe_name}"


#: Object metadata the presigned POST writes (``x-amz-meta-<name>``): whose upload, which media.
UPLOAD_OWNER_METADATA = "owner"
UPLOAD_MEDIA_METADATA = "media-id"


def upload_metadata(user_id: str, media_id: str) -> dict[str, str]:
    """The metadata an upload's object must carry, as S3 returns it (names without the
    ``x-amz-meta-`` prefix): the POST policy pins it, ingest compares it with the record."""
    return {UPLOAD_OWNER_METADATA: user_id, UPLOAD_MEDIA_METADATA: media_id}


@dataclass(frozen=True)
class UploadRef:
    user_id: str
    media_id: str
    file_name: str


def decode_event_key(raw_key: str) -> str:
    """S3 events URL-encode keys, ``+`` for spaces: ``a+b%2B.mp4`` -> ``a b+.mp4``."""
    return unquote_plus(raw_key)


def parse_upload_key(key: str) -> UploadRef | None:
    """The owner and media id encoded in an uploads key, or None for any other key."""
    match = _UPLOAD_KEY.match(key)
    if match is None:
        return None
    return UploadRef(match["user"], match["media"], match["name"])
