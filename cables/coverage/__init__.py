"""Coverage: how much of the release the archive holds, per post and month, and the pages that show it."""
