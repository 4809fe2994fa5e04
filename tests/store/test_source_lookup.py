"""Finding a source by origin and noticing when a workspace's chunks change."""

from __future__ import annotations

from aiwriter_kernel.store.records import NewChunk


def store(database, workspace_id: int, origin: str, text: str, digest: str):
    chunk = NewChunk(
        id=f"{origin}-{digest}", ordinal=0, text=text, start_offset=0, end_offset=len(text)
    )
    return database.sources.upsert_source_with_chunks(
        workspace_id,
        title=origin,
        origin=origin,
        content_hash=digest,
        mime_type="text/plain",
        size_bytes=len(text),
        text=text,
        chunks=[chunk],
    )


def test_find_source_by_origin(database) -> None:
    workspace = database.workspaces.get_or_create("default")
    other = database.workspaces.get_or_create("other")
    source, _ = store(database, workspace.id, "a.txt", "Alpha text.", "h1")
    assert database.sources.find_source(workspace.id, "a.txt").id == source.id
    assert database.sources.find_source(other.id, "a.txt") is None
    assert database.sources.find_source(workspace.id, "missing.txt") is None


def test_revision_changes_with_every_change_and_only_then(database) -> None:
    workspace = database.workspaces.get_or_create("default")
    seen = [database.sources.revision(workspace.id)]
    source, _ = store(database, workspace.id, "a.txt", "Alpha text.", "h1")
    seen.append(database.sources.revision(workspace.id))
    store(database, workspace.id, "a.txt", "Alpha text.", "h1")  # unchanged: no write
    assert database.sources.revision(workspace.id) == seen[-1]
    store(database, workspace.id, "a.txt", "Alpha text, edited.", "h2")  # replaced
    seen.append(database.sources.revision(workspace.id))
    store(database, workspace.id, "b.txt", "Beta text.", "h3")  # added
    seen.append(database.sources.revision(workspace.id))
    database.sources.delete_source(source.id)  # deleted
    seen.append(database.sources.revision(workspace.id))
    assert len(set(seen)) == len(seen)
