#pragma once
// Python's html.unescape, which CLIP's tokenizer applies (twice) before tokenising: named references
// (all 2,231 of HTML5, the legacy ones also without ';', the longest known prefix of an unknown name),
// decimal and hex numeric references, with HTML's replacements (0x80-0x9F as windows-1252, surrogates and
// out-of-range numbers as U+FFFD, control characters and noncharacters dropped). Tables generated from
// Python by scripts/gen_html_entities.py.
#include <string>
#include <string_view>

namespace imu2clip {

std::u32string html_unescape(std::u32string_view text);

}  // namespace imu2clip
