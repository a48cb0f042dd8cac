// Entry point of `pulumi up`: read and validate the stack's config, declare the stack.
import { readProgramConfig } from "./config";
import { defineStack } from "./program";

export = defineStack(readProgramConfig());
