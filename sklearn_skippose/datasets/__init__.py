"""Dataset loaders: JHMDB 2D joints and Human3.6M 3D joints.

Nothing is downloaded: the loaders read a folder given as ``data_home``, the
``SKIPPOSE_DATA`` environment variable, or a per-user data folder.
"""

from ._base import DataNotFoundError, get_data_home
from ._convert import coco_to_jhmdb
from ._h36m import (COCO_JOINT_NAMES, COCO_SKELETON, H36M_JOINT_NAMES, h36m_to_jhmdb,
                    h36m_to_skeleton, load_h36m)
from ._jhmdb import (JHMDB_FRAME_SIZE, JHMDB_JOINT_NAMES, JHMDB_SKELETON, load_jhmdb,
                     world_to_pixel)

__all__ = [
    "COCO_JOINT_NAMES",
    "COCO_SKELETON",
    "DataNotFoundError",
    "H36M_JOINT_NAMES",
    "JHMDB_FRAME_SIZE",
    "JHMDB_JOINT_NAMES",
    "JHMDB_SKELETON",
    "coco_to_jhmdb",
    "get_data_home",
    "h36m_to_jhmdb",
    "h36m_to_skeleton",
    "load_h36m",
    "load_jhmdb",
    "world_to_pixel",
]
