"""Event pages, by what they are for: finding and RSVPing (`finding`), hosting and review
(`hosting`), host tools (`host_tools`), campaign pages and calendars (`calendars`)."""
