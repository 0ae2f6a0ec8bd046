// Included by pages opened to be printed (?print=1): the print dialog opens once the page is drawn.
window.addEventListener("load", function () {
  "use strict";
  window.print();
});
