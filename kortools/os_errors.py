"""An operating-system error said in Dutch (issue #31 item 6: "No such file or directory"
and "Is a directory" stood in Dutch lines of the command)."""

from __future__ import annotations

import errno

REASONS_NL = {
    errno.ENOENT: "bestaat niet",
    errno.EACCES: "geen toestemming",
    errno.EPERM: "geen toestemming",
    errno.EISDIR: "is een map, geen bestand",
    errno.ENOTDIR: "een deel van het pad is geen map",
    errno.ENOSPC: "de schijf is vol",
    errno.EDQUOT: "de schijfruimte (quotum) is op",
    errno.EROFS: "de schijf is alleen te lezen",
    errno.ENAMETOOLONG: "de naam is te lang",
    errno.EMFILE: "te veel bestanden tegelijk open",
    errno.EIO: "leesfout van de schijf",
    errno.EEXIST: "bestaat al",
    errno.EBUSY: "is in gebruik",
    errno.ELOOP: "verwijst naar zichzelf (symbolische koppelingen)",
}
BY_CLASS_NL = {
    FileNotFoundError: REASONS_NL[errno.ENOENT],
    PermissionError: REASONS_NL[errno.EACCES],
    IsADirectoryError: REASONS_NL[errno.EISDIR],
    NotADirectoryError: REASONS_NL[errno.ENOTDIR],
    FileExistsError: REASONS_NL[errno.EEXIST],
}


def reason_nl(error: OSError) -> str:
    """What went wrong, in Dutch, by its errno (or its class when it has none)."""
    if error.errno in REASONS_NL:
        return REASONS_NL[error.errno]
    for kind, reason in BY_CLASS_NL.items():
        if isinstance(error, kind):
            return reason
    return f"systeemfout {error.errno}" if error.errno else "systeemfout"
