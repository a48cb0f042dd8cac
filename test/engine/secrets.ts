import { SECRET_KEYS } from "../../infra/config/load";

/**
 * A value for every secret the program reads (`pulumi config set --secret`), so that the
 * stack files' own config plus these is what a real stack holds. Fake, obviously.
 */
export const TEST_SECRETS: Record<string, string> = Object.fromEntries(
    SECRET_KEYS.map((key) => [`langchain-ha:${key}`, `engine-test-${key}`]),
);
