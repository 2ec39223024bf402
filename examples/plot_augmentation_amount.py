"""
Figure 7: accuracy against the amount of motion-capture augmentation
====================================================================

Skip-Pose (window 4) trained on JHMDB split 1's training clips plus a number
of Human3.6M sequences projected to 2D from random cameras per epoch
(:class:`~sklearn_skippose.MocapProjection`). The left end is the model
without augmentation; :class:`~sklearn_skippose.PoseJitter` is left off so
that the amount of projected motion is the only thing that changes. Kept small for the documentation build (at most 10
epochs); ``skippose evaluate --augment N`` runs any amount.
"""

# %%
import matplotlib.pyplot as plt

from sklearn_skippose.evaluation import evaluate_jhmdb

amounts = [0, 2000, 8000, 32000]
acc = []
for n in amounts:
    method = "skippose-aug" if n else "skippose"
    res = evaluate_jhmdb(methods=[method], splits=[1], augment=n, max_epochs=10,
                         jitter=False, verbose=False)
    acc.append(100 * res["results"][0]["accuracy"])
    print(f"{n:>6d} augmented samples per epoch: accuracy {acc[-1]:.1f}")

# %%
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.plot([max(a, 500) for a in amounts], acc, marker="o")
ax.set_xscale("log")
ax.set_xlabel("augmented samples per epoch (0 drawn at 500)")
ax.set_ylabel("mean per-class accuracy (%)")
plt.show()
