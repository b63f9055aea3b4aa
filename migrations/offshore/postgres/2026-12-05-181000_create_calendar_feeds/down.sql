DROP TABLE offshore_calendar_feeds;
