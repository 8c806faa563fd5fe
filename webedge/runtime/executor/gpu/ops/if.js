require=>{var s=[{op:"If",control:!0,run:(r,t,[n],a)=>r.runSubplan(n.data[0]?t.attrs.then_branch:t.attrs.else_branch,a)}];return{units:s}}
