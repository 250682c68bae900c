"""What Chromium does with the DOM and inline CSS that 1.5.0 produces: computed style, box
layout (block, inline line boxes, flex, absolute positioning) and paint order."""
