package org.ichtriage.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;

import org.ichtriage.UserError;
import org.ichtriage.board.BoardAccess;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "board-user", mixinStandardHelpOptions = true,
        description = {"Print a line for the board's users file (http.auth.users-file): the name and a PBKDF2-SHA256 hash",
                "of a password read from the terminal, or from standard input when there is none. The password is never printed."},
        footer = {"", "Examples:", "  ich-triage board-user alice >> /etc/ich-triage/board-users",
                "  printf '%s\\n' \"$PASSWORD\" | ich-triage board-user alice >> board-users"})
final class BoardUserCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "user name (no ':')")
    String name;

    @Override
    public Integer call() throws IOException {
        char[] password;
        Console console = System.console();
        if (console != null) {
            password = console.readPassword("password for %s: ", name);
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? null : line.toCharArray();
        }
        if (password == null || password.length < 8) {
            throw new UserError("a board password needs at least 8 characters");
        }
        try {
            System.out.println(BoardAccess.hashLine(name, password));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        } finally {
            Arrays.fill(password, ' ');
        }
        return 0;
    }
}
