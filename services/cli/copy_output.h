#pragma once
// What `backup` and `restore` print (cmd_backup.cpp): progress on a terminal, then one summary
// line counted in the finished copy.
#include "storage/backup.h"

namespace imu2clip::cli {

// A percentage redrawn in place when stderr is a terminal; no callback otherwise.
CopyProgress terminal_copy_progress(const char* verb);
void print_copy_report(const CopyReport& report);

}  // namespace imu2clip::cli
