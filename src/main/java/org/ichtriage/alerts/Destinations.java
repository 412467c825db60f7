package org.ichtriage.alerts;

import java.net.URI;

/** Names of destinations that are safe to show: a URL's path and query may hold a token (chat webhooks do). */
public final class Destinations {
    private Destinations() {}

    /** scheme://host[:port] and the destination's place in its list, e.g. https://hooks.example.org#2. */
    public static String display(URI uri, int index) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + "#" + (index + 1);
    }

    /** The board's page of a study: {@code <board-url>/studies/<StudyInstanceUID>}. */
    public static String studyLink(String boardUrl, String studyUid) {
        return (boardUrl.endsWith("/") ? boardUrl.substring(0, boardUrl.length() - 1) : boardUrl) + "/studies/" + studyUid;
    }
}
