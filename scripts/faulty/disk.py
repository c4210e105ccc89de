#!/usr/bin/env python3
"""A disk image that fails on demand, served over FUSE (libfuse 3, mfusepy).

Usage: disk.py IMAGE MOUNTPOINT

MOUNTPOINT shows one file, `disk.img`, read and written through to IMAGE.
While a file named `IMAGE.fail` exists, every write and every fsync of it
answers EIO, as a dying disk does. Put a loop device and a file system on
MOUNTPOINT/disk.img: the file system then gets I/O errors from its block
device, and the programs on it see them on write-back and on fsync.
Runs in the foreground until unmounted (umount MOUNTPOINT).
"""

import errno
import os
import stat
import sys

import mfusepy as fuse

NAME = "/disk.img"


class FaultyDisk(fuse.Operations):
    use_ns = True

    def __init__(self, image):
        self.image = image
        self.flag = image + ".fail"

    def failing(self):
        return os.path.exists(self.flag)

    def getattr(self, path, fh=None):
        if path == "/":
            return {"st_mode": stat.S_IFDIR | 0o755, "st_nlink": 2}
        if path != NAME:
            raise fuse.FuseOSError(errno.ENOENT)
        st = os.stat(self.image)
        return {
            "st_mode": stat.S_IFREG | 0o600,
            "st_nlink": 1,
            "st_size": st.st_size,
            "st_mtime": st.st_mtime,
            "st_ctime": st.st_ctime,
            "st_atime": st.st_atime,
        }

    def readdir(self, path, fh):
        return [".", "..", NAME[1:]]

    def open(self, path, flags):
        if path != NAME:
            raise fuse.FuseOSError(errno.ENOENT)
        return os.open(self.image, os.O_RDWR)

    def read(self, path, size, offset, fh):
        return os.pread(fh, size, offset)

    def write(self, path, data, offset, fh):
        if self.failing():
            raise fuse.FuseOSError(errno.EIO)
        return os.pwrite(fh, data, offset)

    def fsync(self, path, datasync, fh):
        if self.failing():
            raise fuse.FuseOSError(errno.EIO)
        os.fsync(fh)
        return 0

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        os.close(fh)
        return 0

    def truncate(self, path, length, fh=None):
        os.truncate(self.image, length)
        return 0


if __name__ == "__main__":
    image, mountpoint = sys.argv[1], sys.argv[2]
    fuse.FUSE(FaultyDisk(os.path.abspath(image)), mountpoint, foreground=True, nothreads=True)
