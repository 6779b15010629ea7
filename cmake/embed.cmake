# Writes the file IN as a C++ raw string constant into header OUT.
file(READ ${IN} content)
get_filename_component(dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
file(WRITE ${OUT}.tmp "// Generated from tools.json; do not edit.\n#pragma once\nnamespace funkygibbon::mcp {\ninline constexpr char kToolsJson[] = R\"FGTOOLS(${content})FGTOOLS\";\n}  // namespace funkygibbon::mcp\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
