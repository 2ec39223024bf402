"""
Adding an unseen action class with partial_fit
==============================================

The nearest-neighbour classifier can learn a category it has never seen
without retraining anything: the embedding is unsupervised, and new labelled
clips are simply registered in the dictionary with
:meth:`~sklearn_skippose.DTWNearestNeighbors.partial_fit`. Here "pullup" is
held out of JHMDB split 1's dictionary, then added.
"""

# %%
import numpy as np
from sklearn.pipeline import make_pipeline

from sklearn_skippose import DTWNearestNeighbors, PCAEmbedder, PoseNormalizer, SequenceWhitener
from sklearn_skippose.datasets import load_jhmdb
from sklearn_skippose.metrics import mean_per_class_accuracy

jhmdb = load_jhmdb()
names = jhmdb.target_names
new = int(np.flatnonzero(names == "pullup")[0])
tr, te = jhmdb.splits[:, 0] == 1, jhmdb.splits[:, 0] == 2
feat = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"), PCAEmbedder(),
                     SequenceWhitener()).fit(jhmdb.data[tr])
Ztr, Zte = feat.transform(jhmdb.data[tr]), feat.transform(jhmdb.data[te])
ytr, yte = jhmdb.target[tr], jhmdb.target[te]

clf = DTWNearestNeighbors().fit(Ztr[ytr != new], ytr[ytr != new])
print("classes before:", len(clf.classes_), "- pullup known:", new in clf.classes_)
pred = clf.predict(Zte[yte == new])
print("pullup test clips predicted as:", sorted(set(names[pred].tolist())))

# %%
clf.partial_fit(Ztr[ytr == new], ytr[ytr == new])
print("classes after:", len(clf.classes_))
pred = clf.predict(Zte)
print(f"pullup recall now {np.mean(pred[yte == new] == new):.2f}; "
      f"mean per-class accuracy {100 * mean_per_class_accuracy(yte, pred):.1f}")
