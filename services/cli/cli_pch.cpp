// Hosts services/cli/cli_pch.h for the CLI targets that reuse it (services/cli/CMakeLists.txt).
