"""cskh social_eval: train the social model on template set A and print the held-out figures
(set B: whole templates never seen in training)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cskh.core.text import fold
from cskh.social import corpus
from cskh.social.understanding import evaluate, train_model


class Command(BaseCommand):
    help = "Sentiment accuracy and actionable F1 of the social model on the held-out set."

    def add_arguments(self, parser):
        parser.add_argument("--errors", type=int, default=0, help="print N misclassified posts")

    def handle(self, *args, **opts):
        model = train_model(corpus.train())
        held = corpus.heldout()
        subsets = {
            "all": held,
            "no diacritics": [p for p in held if p.text == fold(p.text)],
            "electricity": [p for p in held if p.profile == "electricity"],
            "telecom": [p for p in held if p.profile == "telecom"],
        }
        for name, posts in subsets.items():
            r = evaluate(posts, model)
            self.stdout.write(
                f"{name:14} n={r['n']:4}  sentiment acc {r['sentiment_accuracy']:.3f}  "
                f"actionable F1 {r['actionable_f1']:.3f} (P {r['actionable_precision']:.3f}, "
                f"R {r['actionable_recall']:.3f})"
            )
        for e in evaluate(held, model)["errors"][: opts["errors"]]:
            self.stdout.write(f"  {e}")
