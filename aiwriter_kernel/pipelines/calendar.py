"""The content calendar: a theme and a date range in, dated topics from the knowledge base out.

Topics come from the knowledge base itself: its chunk vectors are clustered (a small
deterministic k-means), the clusters ranked by closeness to the theme, and each slot of the
calendar takes the next cluster in turn, so one subject never crowds out the others. A
cluster's key phrases are its candidate focus keywords; a title (TitleTask) and a short brief
(SummaryTask of the chunks using the keyword) are written for each, offline by default. No
title or keyword is ever used twice: when the sources run out of distinct topics the calendar
is shorter and says so, rather than repeating itself.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from aiwriter_kernel.channels import names as channel_names
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.llm.tasks import NO_EVIDENCE, SourcePassage, SummaryTask, TitleTask, Voice
from aiwriter_kernel.pipelines.article_models import PipelineEvent
from aiwriter_kernel.pipelines.citations_markup import CITED
from aiwriter_kernel.pipelines.context import OnEvent, PipelineContext, quiet
from aiwriter_kernel.pipelines.request_fields import ModelName, ProviderName, WorkspaceName
from aiwriter_kernel.text.banned import drop_banned_sentences, find_banned
from aiwriter_kernel.text.keyphrases import extract_keyphrases
from aiwriter_kernel.text.sentences import split_sentences, strip_markdown
from aiwriter_kernel.text.titles import title_case
from aiwriter_kernel.text.words import stem

if TYPE_CHECKING:
    import numpy as np

    from aiwriter_kernel.pipelines.article_models import ArticleRequest, ArticleResult
    from aiwriter_kernel.pipelines.rewrite import RewriteRequest, RewriteResult
    from aiwriter_kernel.store.records import ChunkRecord

DEFAULT_CHANNELS = ["article", "linkedin", "x-thread", "email"]
MAX_DAYS = 366
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_CLUSTERS = 12
KEYPHRASES_PER_CLUSTER = 15
CHUNKS_PER_TOPIC = 3
BRIEF_WORDS = 45
BRIEF_SENTENCES = 2
TITLE_OPTIONS = 5
TITLE_MAX_CHARS = 80
SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*$")
LIST_PREFIX = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s*")


def _invalid(message: str) -> PydanticCustomError:
    """A validation error whose message is just ``message`` (no "Value error," prefix), so
    the one line a person sees reads cleanly."""
    return PydanticCustomError("calendar_request", message)


def _weekday(value: Any) -> int:
    """0 (Monday) to 6 (Sunday), from a number or a day's name ("mon", "Monday")."""
    if isinstance(value, int) and 0 <= value <= 6:
        return value
    name = str(value).strip().lower()[:3]
    if name.isdigit() and 0 <= int(name) <= 6:
        return int(name)
    if name in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(name)
    raise _invalid(f"unknown weekday {value!r}: use 0-6 (Monday is 0) or mon..sun")


class CalendarRequest(BaseModel):
    """What to plan. Validated before any work: a sane range, known channels and days."""

    model_config = ConfigDict(frozen=True)

    theme: str = Field(max_length=300)
    audience: str | None = Field(default=None, max_length=200)
    start: dt.date
    end: dt.date
    channels: tuple[str, ...] = tuple(DEFAULT_CHANNELS)
    per_week: int = Field(default=3, ge=1, le=21)
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    persona: str | None = None
    workspace: WorkspaceName = "default"
    provider: ProviderName = None
    model: ModelName = None

    @field_validator("theme")
    @classmethod
    def _theme_not_blank(cls, theme: str) -> str:
        if not theme.strip():
            raise _invalid("the theme is empty: say what the calendar is about")
        return " ".join(theme.split())

    @field_validator("channels", mode="before")
    @classmethod
    def _known_channels(cls, channels: Any) -> tuple[str, ...]:
        names = [channels] if isinstance(channels, str) else list(channels or ())
        cleaned = list(dict.fromkeys(str(name).strip().lower() for name in names))
        if not cleaned:
            raise _invalid("give at least one channel")
        known = ("article", *channel_names())
        unknown = [name for name in cleaned if name not in known]
        if unknown:
            raise _invalid(f"unknown channel {unknown[0]!r}: use {', '.join(known)}")
        return tuple(cleaned)

    @field_validator("weekdays", mode="before")
    @classmethod
    def _clean_weekdays(cls, weekdays: Any) -> tuple[int, ...]:
        values = [weekdays] if isinstance(weekdays, str | int) else list(weekdays or ())
        days = sorted({_weekday(value) for value in values})
        if not days:
            raise _invalid("give at least one weekday")
        return tuple(days)

    @model_validator(mode="after")
    def _sane_range(self) -> CalendarRequest:
        if self.end < self.start:
            raise _invalid(f"the range ends ({self.end}) before it starts ({self.start})")
        days = (self.end - self.start).days + 1
        if days > MAX_DAYS:
            raise _invalid(
                f"a {days}-day range is absurdly long: plan at most {MAX_DAYS} days at a time"
            )
        return self


class CalendarEntry(BaseModel):
    """One planned piece: when, where, what, and the sources it draws on."""

    date: dt.date
    channel: str
    title: str
    focus_keyword: str
    brief: str
    cluster: str
    source_ids: list[int] = Field(default_factory=list)
    audience: str | None = None
    persona: str | None = None
    workspace: WorkspaceName = "default"
    provider: ProviderName = None
    model: ModelName = None

    def article_request(self) -> ArticleRequest:
        """The article pipeline's request for this entry (its title is the topic)."""
        from aiwriter_kernel.pipelines.article_models import ArticleRequest

        return ArticleRequest(
            topic=self.title,
            keywords=(self.focus_keyword,),
            audience=self.audience,
            persona=self.persona,
            workspace=self.workspace,
            provider=self.provider,
            model=self.model,
        )

    def rewrite_request(self) -> RewriteRequest:
        """The rewrite pipeline's request: this entry's topic, written for its channel."""
        from aiwriter_kernel.pipelines.rewrite import RewriteRequest

        return RewriteRequest(
            channel=self.channel,
            topic=self.title,
            keyword=self.focus_keyword,
            persona=self.persona,
            workspace=self.workspace,
            provider=self.provider,
            model=self.model,
        )


class TopicCluster(BaseModel):
    """A group of chunks on one subject, and how close it is to the theme."""

    label: str
    chunks: int
    relevance: float


class ContentCalendar(BaseModel):
    """The stored plan: entries by date, the clusters they came from, and what fell short."""

    theme: str
    audience: str | None = None
    start: dt.date
    end: dt.date
    entries: list[CalendarEntry]
    clusters: list[TopicCluster]
    warnings: list[str]
    draft_id: int
    version: int
    provider: str


class EntryWriter(Protocol):
    """What writes a calendar entry: the Workbench's ``write`` and ``rewrite`` (a calendar
    plans; writing an entry is the article or rewrite pipeline's work)."""

    def write(self, request: ArticleRequest) -> ArticleResult: ...

    def rewrite(self, request: RewriteRequest) -> RewriteResult: ...


def send_entry(writer: EntryWriter, entry: CalendarEntry) -> ArticleResult | RewriteResult:
    """Write the entry: an article through the article pipeline, anything else rewritten for
    its channel."""
    if entry.channel == "article":
        return writer.write(entry.article_request())
    return writer.rewrite(entry.rewrite_request())


# -- dates ------------------------------------------------------------------------------------


def slot_dates(
    start: dt.date, end: dt.date, weekdays: Sequence[int], per_week: int
) -> list[dt.date]:
    """The publishing dates: ``per_week`` per calendar week, spread evenly over its allowed
    days (several a day only when there are more posts than days); a partial week at either
    end of the range gets its share."""
    by_week: dict[tuple[int, int], list[dt.date]] = {}
    for offset in range((end - start).days + 1):
        day = start + dt.timedelta(days=offset)
        if day.weekday() in weekdays:
            by_week.setdefault(day.isocalendar()[:2], []).append(day)
    dates: list[dt.date] = []
    for available in by_week.values():
        share = per_week * len(available) / len(weekdays)
        count = per_week if len(available) == len(weekdays) else max(1, round(share))
        dates += [available[int((i + 0.5) * len(available) / count)] for i in range(count)]
    return dates


# -- clusters ---------------------------------------------------------------------------------


def _normalised(matrix: np.ndarray) -> np.ndarray:
    import numpy as np

    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def kmeans(vectors: np.ndarray, k: int, iterations: int = 50) -> np.ndarray:
    """Spherical k-means with farthest-first seeding: deterministic, so the same knowledge
    base always gives the same topics. Returns each row's cluster number."""
    import numpy as np

    points = _normalised(np.asarray(vectors, dtype=np.float64))
    mean = points.mean(axis=0)
    seeds = [int(np.argmax(points @ mean))]
    while len(seeds) < k:
        closest = (points @ points[seeds].T).max(axis=1)
        seeds.append(int(np.argmin(closest)))
    centres = points[seeds]
    assignment = np.full(len(points), -1)
    for _ in range(iterations):
        updated = np.argmax(points @ centres.T, axis=1)
        if np.array_equal(updated, assignment):
            break
        assignment = updated
        for number in range(k):
            members = points[assignment == number]
            if len(members):
                centres[number] = _normalised(members.mean(axis=0, keepdims=True))[0]
    return assignment


def cluster_count(chunks: int) -> int:
    """About the square root of twice the chunk count (six for a score of chunks, the
    cap for a few hundred): enough subjects to spread over, each with a few chunks."""
    return max(1, min(MAX_CLUSTERS, chunks, round(math.sqrt(2 * chunks))))


class _Cluster:
    """A cluster while planning: its chunks (most central first), their texts without the
    overlap chunking repeats, and its candidate keywords (best first, consumed as used)."""

    def __init__(self, chunks: list[ChunkRecord], texts: list[str], relevance: float) -> None:
        self.chunks = chunks
        self.texts = texts
        self.relevance = relevance
        self.keywords: list[str] = []
        self.label = ""

    def mentions(self, phrase: str) -> int:
        return sum(_mentions(text, phrase) for text in self.texts)

    def chunks_for(self, keyword: str) -> list[tuple[ChunkRecord, str]]:
        """The chunks (with their texts) that use the keyword most; ties by centrality."""
        pairs = list(zip(self.chunks, self.texts, strict=True))
        ranked = sorted(pairs, key=lambda pair: -_mentions(pair[1], keyword))
        using = [pair for pair in ranked if _mentions(pair[1], keyword)]
        return (using or ranked)[:CHUNKS_PER_TOPIC]


def _mentions(text: str, phrase: str) -> int:
    """How often ``phrase`` occurs in ``text`` as whole words, ignoring case."""
    words = r"\s+".join(map(re.escape, phrase.lower().split()))
    return len(re.findall(rf"(?<!\w){words}(?!\w)", text.lower()))


def _stems(phrase: str) -> frozenset[str]:
    return frozenset(stem(word) for word in re.findall(r"[a-z0-9']+", phrase.lower()))


def fresh_texts(chunks: Sequence[ChunkRecord]) -> list[str]:
    """Each chunk's text without the part it shares with the previous chunk of its source,
    so a phrase in the overlap is not counted twice (chunks come by source, then ordinal)."""
    texts: list[str] = []
    seen_until: dict[int, int] = {}
    for chunk in chunks:
        skip = max(0, seen_until.get(chunk.source_id, 0) - chunk.start_offset)
        texts.append(chunk.text[skip:])
        seen_until[chunk.source_id] = max(seen_until.get(chunk.source_id, 0), chunk.end_offset)
    return texts


def headings_in(text: str) -> list[str]:
    return [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")]


def assign_keywords(clusters: list[_Cluster], banned: tuple[str, ...]) -> None:
    """Give each cluster its candidate focus keywords: the knowledge base's key phrases (so
    specificity is judged against all of it), each to the cluster that uses it most.

    A phrase must occur at least twice in its cluster, and a lone word only counts when a
    heading uses it too, since single words ("long", "keep") rarely name a topic. Several-word
    phrases come first. No phrase has a banned word.
    """
    texts = [text for cluster in clusters for text in cluster.texts]
    headings = [heading for text in texts for heading in headings_in(text)]
    heading_stems = {s for heading in headings for s in _stems(heading)}
    phrases = extract_keyphrases(
        [strip_markdown(text) for text in texts],
        top=KEYPHRASES_PER_CLUSTER * len(clusters),
        headings=headings,
    )
    for phrase in (p.phrase for p in phrases if len(p.phrase) > 2):
        single = " " not in phrase
        if find_banned(phrase, banned) or (single and not _stems(phrase) <= heading_stems):
            continue
        counts = [cluster.mentions(phrase) for cluster in clusters]
        if max(counts) < 2:
            continue
        clusters[counts.index(max(counts))].keywords.append(phrase)
    for cluster in clusters:
        cluster.keywords.sort(key=lambda phrase: " " not in phrase)  # stable: score order


def label_clusters(clusters: list[_Cluster]) -> None:
    """Name each cluster by its best key phrase, each name once."""
    used: set[str] = set()
    for number, cluster in enumerate(clusters, 1):
        names = [title_case(k) for k in cluster.keywords if title_case(k) not in used]
        cluster.label = names[0] if names else f"Topic {number}"
        used.add(cluster.label)


def _sentences_on(text: str, keyword: str) -> list[str]:
    """The sentences of ``text`` that use the keyword (not headings or title lines, which
    have no closing punctuation and would read as run-on text in a brief)."""
    prose = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    sentences = split_sentences(strip_markdown(prose))
    return [s for s in sentences if _mentions(s, keyword) and SENTENCE_END.search(s)]


class _Used:
    """What the calendar already says, so no keyword, title or brief is used twice."""

    def __init__(self) -> None:
        self.keywords: list[frozenset[str]] = []
        self.titles: set[str] = set()
        self.briefs: set[str] = set()

    def overlaps(self, keyword: str) -> bool:
        """True when the keyword's words contain, or are contained in, a used keyword's."""
        stems = _stems(keyword)
        return any(stems <= other or other <= stems for other in self.keywords)

    def add(self, keyword: str, title: str, brief: str) -> None:
        self.keywords.append(_stems(keyword))
        self.titles.add(title.lower())
        self.briefs.add(brief.lower())


# -- the pipeline -----------------------------------------------------------------------------


class CalendarPipeline:
    """Plans one content calendar for a workbench and stores it as a ``calendar`` draft."""

    def __init__(self, context: PipelineContext) -> None:
        self.context = context

    def run(self, request: CalendarRequest, on_event: OnEvent = quiet) -> ContentCalendar:
        persona = self.context.scope.persona(request.persona, request.workspace)
        voice = persona.voice() if persona is not None else None
        banned = voice.banned_words if voice is not None else ()
        slots = slot_dates(request.start, request.end, request.weekdays, request.per_week)
        on_event(PipelineEvent(stage="research", message="clustering the knowledge base"))
        clusters = self._clusters(request, banned)
        on_event(
            PipelineEvent(
                stage="research", message=f"{len(clusters)} topic clusters for {len(slots)} slots"
            )
        )
        warnings: list[str] = []
        entries = self._plan(request, slots, clusters, voice, warnings, on_event)
        if not slots:
            warnings.append("no day in the range falls on the chosen weekdays: nothing to plan")
        elif len(entries) < len(slots):
            warnings.append(
                f"the knowledge base holds only {len(entries)} distinct topics for "
                f"{len(slots)} slots: planned {len(entries)} entries without repeating any "
                "(ingest more sources for a fuller calendar)"
            )
        return self._store(request, entries, clusters, warnings, on_event)

    # -- topics ---------------------------------------------------------------------------

    def _clusters(self, request: CalendarRequest, banned: tuple[str, ...]) -> list[_Cluster]:
        """The knowledge base's chunks grouped by subject, most relevant to the theme first,
        each with its candidate keywords."""
        import numpy as np

        pairs = self.context.knowledge.chunk_vectors(request.workspace)
        if not pairs:
            raise ValidationError(
                f"the knowledge base ({request.workspace}) is empty: ingest some sources "
                "first (aiwriter ingest PATH)"
            )
        chunks = [chunk for chunk, _ in pairs]
        texts = fresh_texts(chunks)
        points = _normalised(np.stack([vector for _, vector in pairs]).astype(np.float64))
        assignment = kmeans(points, cluster_count(len(chunks)))
        query = " ".join(filter(None, [request.theme, request.audience]))
        theme = _normalised(np.asarray(self.context.knowledge.encode([query]), np.float64))
        clusters: list[_Cluster] = []
        for number in sorted(set(assignment.tolist())):
            members = np.flatnonzero(assignment == number)
            centre = _normalised(points[members].mean(axis=0, keepdims=True))[0]
            order = members[np.argsort(-(points[members] @ centre), kind="stable")]
            clusters.append(
                _Cluster(
                    chunks=[chunks[i] for i in order],
                    texts=[texts[i] for i in order],
                    relevance=float(theme[0] @ centre),
                )
            )
        clusters.sort(key=lambda cluster: -cluster.relevance)
        assign_keywords(clusters, banned)
        label_clusters(clusters)
        return clusters

    def _plan(self, request, slots, clusters, voice, warnings, on_event) -> list[CalendarEntry]:
        """Fill the slots in date order, taking the clusters in turn; a cluster with no
        distinct topic left drops out of the rotation."""
        entries: list[CalendarEntry] = []
        used = _Used()
        rotation = list(clusters)
        turn = 0
        for index, day in enumerate(slots):
            entry = None
            while rotation and entry is None:
                cluster = rotation[turn % len(rotation)]
                entry = self._next_topic(request, cluster, voice, used, warnings)
                if entry is None:
                    rotation.remove(cluster)
                else:
                    turn += 1
            if entry is None:
                break
            channel = request.channels[index % len(request.channels)]
            entry = entry.model_copy(update={"date": day, "channel": channel})
            entries.append(entry)
            on_event(PipelineEvent(stage="generate", message=f"{day} {channel}: {entry.title}"))
        return entries

    def _next_topic(self, request, cluster, voice, used, warnings) -> CalendarEntry | None:
        """The cluster's next keyword that makes a new, clean title and brief; None when it
        has none left."""
        while cluster.keywords:
            keyword = cluster.keywords.pop(0)
            if used.overlaps(keyword):
                continue  # the subject of a planned entry, in other words
            chosen = cluster.chunks_for(keyword)
            title = self._title(request, keyword, chosen, voice, used)
            brief = self._brief(request, keyword, chosen, voice, warnings) if title else None
            if not title or not brief or brief.lower() in used.briefs:
                continue
            used.add(keyword, title, brief)
            return CalendarEntry(
                date=request.start,
                channel=request.channels[0],
                title=title,
                focus_keyword=keyword,
                brief=brief,
                cluster=cluster.label,
                source_ids=list(dict.fromkeys(chunk.source_id for chunk, _ in chosen)),
                audience=request.audience,
                persona=request.persona,
                workspace=request.workspace,
                provider=request.provider,
                model=request.model,
            )
        return None

    def _title(self, request, keyword, chosen, voice, used) -> str | None:
        """The first title option that is new to the calendar and free of banned words.

        The model sees the headings that name the keyword, then the sentences using it.
        """
        headings = [
            line
            for chunk, _ in chosen
            for line in chunk.text.splitlines()
            if line.startswith("#") and _mentions(line, keyword)
        ]
        sentences = [s for _, text in chosen for s in _sentences_on(text, keyword)]
        task = TitleTask(
            text="\n\n".join(list(dict.fromkeys(headings)) + sentences) or keyword,
            keyword=keyword,
            count=TITLE_OPTIONS,
            max_chars=TITLE_MAX_CHARS,
            voice=voice,
        )
        text = self.context.models.text(task, request)
        banned = voice.banned_words if voice is not None else ()
        for line in text.splitlines():
            option = " ".join(LIST_PREFIX.sub("", line).strip().strip("\"'*").split())
            if not option or len(option) > TITLE_MAX_CHARS:
                continue
            if option.lower() in used.titles or find_banned(option, banned):
                continue
            return option
        return None

    def _brief(self, request, keyword, chosen, voice: Voice | None, warnings) -> str | None:
        """One or two sentences on the angle: a summary of what the sources say about the
        keyword (the sentences that use it, from its best chunks). None when no sentence
        uses it, e.g. the keyword stands only in headings or list items: a brief made of
        the chunks' other sentences would be about something else."""
        on_keyword = [(chunk, _sentences_on(text, keyword)) for chunk, text in chosen]
        passages = tuple(
            SourcePassage(
                label=number,
                title=self._source_title(chunk.source_id),
                origin="",
                text=" ".join(sentences),
                chunk_id=chunk.id,
            )
            for number, (chunk, sentences) in enumerate(
                [(chunk, sentences) for chunk, sentences in on_keyword if sentences], 1
            )
        )
        if not passages:
            return None
        task = SummaryTask(sources=passages, max_words=BRIEF_WORDS, voice=voice)
        text = self.context.models.text(task, request)
        if text.strip() == NO_EVIDENCE:
            return None
        banned = voice.banned_words if voice is not None else ()
        clean, dropped = drop_banned_sentences(" ".join(CITED.sub("", text).split()), banned)
        if dropped:
            warnings.append(f"dropped {dropped} sentences with a banned word from a brief")
        return " ".join(split_sentences(clean)[:BRIEF_SENTENCES]).strip() or None

    def _source_title(self, source_id: int) -> str:
        source = self.context.scope.sources.get_source(source_id)
        return source.title if source is not None else f"source {source_id}"

    # -- storage --------------------------------------------------------------------------

    def _store(self, request, entries, clusters, warnings, on_event) -> ContentCalendar:
        on_event(PipelineEvent(stage="store", message=f"saving {len(entries)} entries"))
        listed = [
            TopicCluster(label=c.label, chunks=len(c.chunks), relevance=round(c.relevance, 4))
            for c in clusters
        ]
        draft, version = self.context.drafts.save(
            "calendar",
            workspace=request.workspace,
            title=f"Content calendar: {request.theme}",
            topic=request.theme,
            content=to_markdown(request, entries),
            stage="plan",
            meta={
                "request": request.model_dump(mode="json"),
                "entries": [entry.model_dump(mode="json") for entry in entries],
                "clusters": [cluster.model_dump(mode="json") for cluster in listed],
                "warnings": warnings,
            },
        )
        on_event(PipelineEvent(stage="done", message=f"calendar draft {draft.id}"))
        return ContentCalendar(
            theme=request.theme,
            audience=request.audience,
            start=request.start,
            end=request.end,
            entries=entries,
            clusters=listed,
            warnings=warnings,
            draft_id=draft.id,
            version=version.version,
            provider=self.context.models.provider_of(request),
        )


def to_markdown(request: CalendarRequest, entries: Sequence[CalendarEntry]) -> str:
    """The calendar as a Markdown table, the draft's readable content."""
    lines = [
        f"# Content calendar: {request.theme}",
        "",
        f"{request.start} to {request.end}"
        + (f", for {request.audience}" if request.audience else ""),
        "",
        "| Date | Channel | Title | Focus keyword | Brief |",
        "| --- | --- | --- | --- | --- |",
    ]
    for entry in entries:
        cells = [str(entry.date), entry.channel, entry.title, entry.focus_keyword, entry.brief]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
