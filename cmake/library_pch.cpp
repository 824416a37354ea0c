// Hosts cmake/library_pch.h for the targets that reuse it (see the root CMakeLists.txt).
