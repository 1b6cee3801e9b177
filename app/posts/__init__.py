"""Posts: blog articles, news and announcements."""
