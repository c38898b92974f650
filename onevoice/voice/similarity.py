"""Cross-department coordination: similar posts of other departments in the same period (issue 7).

When a post is planned, the people writing it see what other departments say around the same time, so
two departments don't tell the same story twice or contradict each other. `similar_posts(post)` returns
the organisation's posts of OTHER departments, not withdrawn, whose publish time lies within
±`window_days` of the post's (an unscheduled idea is compared with the next 14 days), each with a score
from 0 to 1 and the reasons: similar text, same topic, same campaign.

Everyone who may see the plan sees the whole plan of their organisation, so the result needs no further
filtering by role; the caller must have loaded `post` through the access helpers. Other organisations'
posts are never candidates.

Text similarity
    The text of a post is its title, its base text and every variant text that differs from the base
    text. It is normalised (lower case, ä→ae, ö→oe, ü→ue, ß→ss, so "Straße"/"Strasse" and "München"/
    "Muenchen" meet; URLs and a small German + English stop-word list removed) and turned into TF-IDF
    vectors of character 3–5-grams inside word boundaries (`char_wb`). Character n-grams are what makes
    this work for German without a morphology library: "Ausbildungsstart" and "starten", "Azubis" and
    "Auszubildende" share n-grams where their words share nothing. Tf is sublinear, rows are L2-normed,
    so the cosine similarity is a plain sparse dot product.

Score
    score = 1 − (1 − text) · (1 − 0.3 if same topic) · (1 − 0.15 if same campaign): the text similarity,
    raised by a shared topic or campaign, never above 1; it orders the list and says "very similar"
    from 0.6 on. A post is listed when its text similarity reaches `min_score`, and always when it has
    the same topic in the same (ISO, organisation-local) week — the cheap "same topic, same week, other
    department" rule, which needs no text at all. A shared topic or campaign alone in another week does
    not list a post: campaigns are meant to be told by several departments.

Speed and the cache (target: ≤ 50 ms median together with the voice checker, for 5,000 posts)
    Turning a post into its vector costs about 1 ms (the character n-grams of ~1,500 characters); the
    search itself a few. So each process keeps, per organisation (by its public id, in a thread-safe LRU
    of `CACHE_SIZE` entries), a vectoriser fitted on the `FIT_SAMPLE` most recently edited posts and the
    vectors of the posts seen so far, each stamped with its post's `updated_at`. A query does:

    1. one indexed query for the candidates in the time window (organisation, publish_at), which brings
       their current department, topic, campaign, time and `updated_at` — so times, statuses and
       departments are always fresh, never cached;
    2. a vector per candidate from the cache; a candidate that is new to the cache or whose `updated_at`
       differs (every edit of a post or a variant bumps it through the versioned save) is read and
       transformed with the others of its kind (two small queries);
    3. one dot product of the query vector with the candidates' rows, and one query for the ≤ `limit`
       posts shown.

    Deliberately not a fingerprint of the whole organisation (count + max(updated_at)) that refits on
    every change: fitting 5,000 posts takes seconds, and in a busy organisation every edit anywhere would
    cost the next person a refit; the fingerprint query itself scans all posts each time. The vocabulary
    and IDF weights of a fit stay good while the plan drifts (new words are still covered by their
    n-grams), so the organisation is refitted only when more than a quarter of the sample (at least
    `REFIT_AFTER_MIN` posts) was edited or created since. Vectors are made when first needed, so the
    first query of an organisation costs the fit of the sample plus its candidates (about 1 s), and
    memory grows with the posts actually compared, not with the whole archive. Deleted posts leave
    orphan rows until the next fit; they are never candidates, so they never show. Figures:
    bench/bench_voice_similarity.py.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import zoneinfo
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

import numpy as np
import scipy.sparse as sp
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onevoice.planning.models import Post, PostVariant

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

IDEA_HORIZON = timedelta(days=14)  # an unscheduled idea is compared with what is planned this soon
TOPIC_BONUS = 0.3
CAMPAIGN_BONUS = 0.15
VERY_SIMILAR_FROM = 0.6
MAX_CHARS = 6000  # per post; enough to tell the story, bounds the cost of a very long text
CACHE_SIZE = 8  # organisations per process
FIT_SAMPLE = 1000  # posts the vocabulary and IDF weights are learnt from
REFIT_AFTER_SHARE = 0.25
REFIT_AFTER_MIN = 200
MAX_BLOCKS = 32

# Words that carry no story. Short on purpose: TF-IDF already weighs down what every post says.
_STOP_WORDS = """
    aber alle allem allen aller alles als also am an andere anderen auch auf aus bei beim bin bis bist
    da damit dann das dass dein deine deinem deinen deiner dem den denn der des dich die dies diese
    diesem diesen dieser dir doch dort du durch ein eine einem einen einer eines er es etwas euch euer
    eure fuer gegen gibt hat hatte hier ich ihm ihn ihnen ihr ihre ihrem ihren ihrer im in ins ist ja
    jede jeden jeder jetzt kann kein keine man mehr mein meine mit muss nach nicht noch nun nur ob oder
    ohne sehr sein seine sich sie sind so soll ueber um und uns unser unsere unter viel vom von vor war
    was weil wenn wer wie wir wird wo zu zum zur
    a about an and are as at be but by can for from has have how i if in into is it its more new not
    of on or our out so that the their there this to up was we were what when will with you your
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_URL = re.compile(r"https?://\S+|www\.\S+")
_WORD = re.compile(r"\w+")


class Reason(models.TextChoices):
    SAME_TOPIC = "same_topic", _("same topic")
    SIMILAR_TEXT = "similar_text", _("similar text")
    SAME_CAMPAIGN = "same_campaign", _("same campaign")


@dataclass(frozen=True)
class SimilarPost:
    post: Post  # with department, topic and campaign loaded
    score: float  # 0..1
    reasons: tuple[Reason, ...]
    text_score: float = 0.0  # the cosine similarity of the texts alone

    @property
    def very_similar(self) -> bool:
        return self.score >= VERY_SIMILAR_FROM

    @property
    def score_label(self) -> str:
        return str(_("very similar") if self.very_similar else _("similar"))


def normalize(text: str) -> str:
    """Lower-case German text with umlauts spelled out, without URLs and stop words (the preprocessor)."""
    text = unicodedata.normalize("NFC", text).lower().translate(_UMLAUTS)
    text = _URL.sub(" ", text)
    return " ".join(word for word in _WORD.findall(text) if word not in STOP_WORDS)


def post_document(title: str, base_text: str, variant_texts: Iterable[str]) -> str:
    """The text of a post as compared: title, base text and each variant text that says something else."""
    parts = [title, base_text]
    for text in variant_texts:
        if text.strip() and text not in parts:
            parts.append(text)
    return "\n".join(parts)[:MAX_CHARS]


def _vectorizer(documents: int) -> TfidfVectorizer:
    # Imported here: scikit-learn takes a second or two to import, which no other page should pay.
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        preprocessor=normalize,
        sublinear_tf=True,
        # n-grams in more than half of the posts say nothing about one story; in a tiny corpus every
        # shared n-gram is "in half of the posts", so the cut starts once there is something to cut.
        max_df=0.5 if documents >= 100 else 1.0,
        dtype=np.float32,
    )


# ---- the per-organisation model ----------------------------------------------------------------------


@dataclass
class _Model:
    """A fitted vectoriser and the vectors of the posts seen so far, each stamped with its updated_at.

    Vectors live in a few CSR blocks (the fit sample, then one block per batch read later), found
    through `index`; `compact` merges the blocks when there are many.
    """

    vectorizer: TfidfVectorizer | None  # None: the organisation has no text to learn from yet
    fitted_on: int  # posts in the fit sample
    fitted_until: datetime | None  # the newest updated_at in the sample: anything newer changed since
    blocks: list[sp.csr_matrix]
    index: dict[int, tuple[datetime, int, int]]  # post id → (updated_at, block, row)
    changed: int = 0  # posts re-read because they were edited or created after the fit
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def needs_refit(self) -> bool:
        return self.changed > max(REFIT_AFTER_MIN, REFIT_AFTER_SHARE * self.fitted_on)

    @property
    def width(self) -> int:
        return max(1, len(self.vectorizer.idf_)) if self.vectorizer is not None else 1

    @property
    def nbytes(self) -> int:
        return sum(b.data.nbytes + b.indices.nbytes + b.indptr.nbytes for b in self.blocks)

    def transform(self, documents: Sequence[str]) -> sp.csr_matrix:
        if self.vectorizer is None or not documents:
            return sp.csr_matrix((len(documents), self.width), dtype=np.float32)
        return sp.csr_matrix(self.vectorizer.transform(documents))

    def vectors(self, posts: Sequence[tuple[int, datetime]]) -> sp.csr_matrix:
        """The rows of these (id, updated_at) posts, in order; new or edited ones are read and transformed."""
        index = self.index
        stale = [k for k, (post_id, stamp) in enumerate(posts) if (index.get(post_id) or (None,))[0] != stamp]
        fresh, stamps = None, {}
        if stale:
            # The slow part (reading and transforming) runs outside the lock.
            ids = [posts[k][0] for k in stale]
            texts = _documents(Post.objects.filter(pk__in=ids))
            fresh = self.transform([texts[i][0] if i in texts else "" for i in ids])
            stamps = {i: texts[i][1] for i in texts}
        with self.lock:
            where: list[tuple[int, int]] = []  # (block, row) of each position
            new_block = -1
            if fresh is not None:
                new_block = len(self.blocks)
                self.blocks.append(fresh)
                for row, k in enumerate(stale):
                    post_id = posts[k][0]
                    stamp = stamps.get(post_id)
                    if stamp is not None:
                        if self.fitted_until is None or stamp > self.fitted_until:
                            self.changed += 1
                        self.index[post_id] = (stamp, new_block, row)
            stale_rows = {k: row for row, k in enumerate(stale)}
            for k, (post_id, _stamp) in enumerate(posts):
                if k in stale_rows:
                    where.append((new_block, stale_rows[k]))
                else:
                    where.append(self.index[post_id][1:])
            answer = self._gather(where)
            if len(self.blocks) > MAX_BLOCKS:
                self._compact()
            return answer

    def _gather(self, where: Sequence[tuple[int, int]]) -> sp.csr_matrix:
        if not where:
            return sp.csr_matrix((0, self.width), dtype=np.float32)
        by_block: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for position, (block, row) in enumerate(where):
            by_block[block][0].append(position)
            by_block[block][1].append(row)
        parts, order = [], []
        for block, (positions, rows) in by_block.items():
            parts.append(self.blocks[block][rows])
            order.extend(positions)
        stacked = parts[0] if len(parts) == 1 else sp.vstack(parts, format="csr")
        inverse = np.empty(len(order), dtype=np.int64)  # back into the callers' order
        inverse[np.asarray(order, dtype=np.int64)] = np.arange(len(order))
        return stacked[inverse]

    def _compact(self) -> None:
        """Merge all blocks into one, dropping the rows of older versions of a post (lock held)."""
        ids = list(self.index)
        merged = self._gather([self.index[i][1:] for i in ids])
        self.index = {i: (self.index[i][0], 0, row) for row, i in enumerate(ids)}
        self.blocks = [merged]


_CACHE: OrderedDict[UUID, _Model] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_FIT_LOCKS: dict[UUID, threading.Lock] = {}


def clear_cache() -> None:
    """Forget every fitted model (tests; a process that wants its memory back)."""
    with _CACHE_LOCK:
        _CACHE.clear()
        _FIT_LOCKS.clear()


def _cached(key: UUID) -> _Model | None:
    with _CACHE_LOCK:
        model = _CACHE.get(key)
        if model is not None:
            _CACHE.move_to_end(key)
        return model


def _model_for(organization_id: int, key: UUID) -> _Model:
    """The organisation's model from the cache, fitted first if there is none or it drifted too far."""
    model = _cached(key)
    if model is not None and not model.needs_refit:
        return model
    with _CACHE_LOCK:
        fit_lock = _FIT_LOCKS.setdefault(key, threading.Lock())
    with fit_lock:  # one fit per organisation at a time; the others wait for its result
        model = _cached(key)
        if model is not None and not model.needs_refit:
            return model
        model = _fit(organization_id)
        with _CACHE_LOCK:
            _CACHE[key] = model
            _CACHE.move_to_end(key)
            while len(_CACHE) > CACHE_SIZE:
                evicted, _model = _CACHE.popitem(last=False)
                _FIT_LOCKS.pop(evicted, None)
        return model


def _documents(posts: models.QuerySet[Post]) -> dict[int, tuple[str, datetime]]:
    """Post id → (text to compare, updated_at), in two queries."""
    rows = list(posts.values_list("id", "updated_at", "title", "base_text"))
    variants: dict[int, list[str]] = defaultdict(list)
    for post_id, text in PostVariant.objects.filter(post_id__in=[r[0] for r in rows]).values_list(
        "post_id", "text"
    ):
        variants[post_id].append(text)
    return {
        post_id: (post_document(title, base_text, variants.get(post_id, ())), updated_at)
        for post_id, updated_at, title, base_text in rows
    }


def _fit(organization_id: int) -> _Model:
    """Learn the vocabulary and IDF weights from the organisation's most recently edited posts."""
    sample = Post.objects.filter(organization_id=organization_id).exclude(status=Post.Status.WITHDRAWN)
    texts = _documents(sample.order_by("-updated_at")[:FIT_SAMPLE])
    ids = list(texts)
    index = {post_id: (texts[post_id][1], 0, row) for row, post_id in enumerate(ids)}
    fitted_until = max((stamp for _text, stamp in texts.values()), default=None)
    vectorizer = _vectorizer(len(ids))
    try:
        matrix = sp.csr_matrix(vectorizer.fit_transform([texts[i][0] for i in ids]))
    except ValueError:  # no posts, or nothing but stop words and punctuation: no vocabulary yet
        empty = sp.csr_matrix((len(ids), 1), dtype=np.float32)
        return _Model(None, len(ids), fitted_until, [empty], index)
    return _Model(vectorizer, len(ids), fitted_until, [matrix], index)


# ---- the search ---------------------------------------------------------------------------------------


def similar_posts(
    post: Post,
    *,
    text: str | None = None,
    window_days: int = 7,
    limit: int = 5,
    min_score: float = 0.3,
    now: datetime | None = None,
) -> list[SimilarPost]:
    """Posts of other departments around the post's time that tell a similar story, most similar first.

    `text`, when given, is compared instead of the post's stored texts (with its title): the composer
    passes what is being typed. `post` may be unsaved (a new post being planned).
    """
    now = now or timezone.now()
    if post.publish_at is not None:
        start, end = (
            post.publish_at - timedelta(days=window_days),
            post.publish_at + timedelta(days=window_days),
        )
    else:
        start, end = now, now + IDEA_HORIZON
    candidates = Post.objects.filter(
        organization_id=post.organization_id, publish_at__gte=start, publish_at__lte=end
    ).exclude(status=Post.Status.WITHDRAWN)
    candidates = candidates.exclude(department_id=post.department_id)
    if post.pk is not None:
        candidates = candidates.exclude(pk=post.pk)
    found = list(candidates.values_list("id", "updated_at", "topic_id", "campaign_id", "publish_at"))
    if not found:
        return []

    organization = post.organization
    model = _model_for(post.organization_id, organization.public_id)
    query = _query_vector(model, post, text)
    rows = model.vectors([(c[0], c[1]) for c in found])
    # Rows are L2-normed, so the dot product is the cosine (what sklearn's linear_kernel computes).
    text_scores = np.clip((rows @ query.T).toarray().ravel(), 0.0, 1.0)

    zone = zoneinfo.ZoneInfo(organization.time_zone)
    week = _week(post.publish_at, zone)
    scored: list[tuple[float, float, int, tuple[Reason, ...], float]] = []
    for (post_id, _updated, topic_id, campaign_id, publish_at), text_score in zip(
        found, text_scores.tolist(), strict=True
    ):
        same_topic = topic_id is not None and topic_id == post.topic_id
        same_campaign = campaign_id is not None and campaign_id == post.campaign_id
        rest = 1.0 - text_score
        if same_topic:
            rest *= 1.0 - TOPIC_BONUS
        if same_campaign:
            rest *= 1.0 - CAMPAIGN_BONUS
        score = round(1.0 - rest, 3)
        # An idea has no week of its own: the whole horizon is its "same week".
        topic_this_week = same_topic and (week is None or _week(publish_at, zone) == week)
        if text_score < min_score and not topic_this_week:
            continue
        reasons = tuple(
            reason
            for reason, holds in (
                (Reason.SAME_TOPIC, same_topic),
                (Reason.SIMILAR_TEXT, text_score >= min_score),
                (Reason.SAME_CAMPAIGN, same_campaign),
            )
            if holds
        )
        distance = abs(((publish_at or now) - (post.publish_at or now)).total_seconds())
        scored.append((-score, distance, post_id, reasons, text_score))
    scored.sort()
    best = scored[:limit]
    shown = Post.objects.select_related("department", "topic", "campaign").in_bulk([s[2] for s in best])
    return [
        SimilarPost(post=shown[post_id], score=-neg, reasons=reasons, text_score=round(text_score, 3))
        for neg, _distance, post_id, reasons, text_score in best
        if post_id in shown
    ]


def _query_vector(model: _Model, post: Post, text: str | None) -> sp.csr_matrix:
    if text is not None:
        return model.transform([post_document(post.title, text, ())])
    if post.pk is None:
        return model.transform([post_document(post.title, post.base_text, ())])
    return model.vectors([(post.pk, post.updated_at)])


def _week(moment: datetime | None, zone: zoneinfo.ZoneInfo) -> tuple[int, int] | None:
    if moment is None:
        return None
    year, week, _day = moment.astimezone(zone).isocalendar()
    return year, week
