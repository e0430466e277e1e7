"""The commit-back's message; committing, rebasing and pushing are tested end to end in test_publish."""

from __future__ import annotations

from flashnews.app.commitback import commit_message


def test_the_subject_names_the_drop_and_the_body_what_it_became():
    message = commit_message([("content/story.txt", "content/story.md")], "content/_archive")
    subject, blank, line, *rest = message.splitlines()
    assert subject == "Normalize the drop content/story.txt"
    assert (blank, line) == ("", "content/story.txt -> content/story.md")
    assert "content/_archive/" in message


def test_a_subject_names_three_drops_and_counts_the_rest_while_the_body_lists_every_one():
    drops = [(f"content/d{n}.txt", f"content/d{n}.md") for n in range(5)]
    message = commit_message(drops, "content/_archive")
    assert message.splitlines()[0] == "Normalize 5 drops: content/d0.txt, content/d1.txt, content/d2.txt and 2 more"
    assert all(f"content/d{n}.txt -> content/d{n}.md" in message.splitlines() for n in range(5))
