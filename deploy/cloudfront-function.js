// Viewer request on the site's default behaviour (cloudfront-js-2.0).
// S3 behind Origin Access Control has no index documents, so folder
// addresses are mapped here: "/bielefeld/de/" is served from
// "/bielefeld/de/index.html", and "/bielefeld/de" is redirected to the
// folder address so that relative links in the page resolve. Addresses whose
// last segment has a dot ("/assets/style.0123abcd.css") are files.
// Paths with a part that starts with a dot (site-gen deploy's record,
// ".site-gen-deployed.json") are not served.
// Canonical source: deploy/cloudfront-function.js; template.yaml holds a
// byte-for-byte copy (checked by cloudfront-function.test.mjs).
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.indexOf('/.') !== -1) {
    return {
      statusCode: 404,
      statusDescription: 'Not Found',
      headers: { 'content-type': { value: 'text/plain; charset=utf-8' } },
      body: { encoding: 'text', data: 'Not found' }
    };
  }
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
    return request;
  }
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') !== -1) {
    return request;
  }
  var location = uri + '/';
  var query = queryString(request.querystring);
  if (query !== '') {
    location = location + '?' + query;
  }
  return {
    statusCode: 301,
    statusDescription: 'Moved Permanently',
    headers: {
      location: { value: location },
      'cache-control': { value: 'max-age=3600' }
    }
  };
}

// Rebuilds the query string as the viewer sent it: CloudFront hands the
// values over still percent-encoded, so they are joined, not encoded again.
function queryString(parameters) {
  var parts = [];
  var names = Object.keys(parameters || {});
  for (var i = 0; i < names.length; i++) {
    var name = names[i];
    var parameter = parameters[name];
    var values = parameter.multiValue ? parameter.multiValue : [parameter];
    for (var j = 0; j < values.length; j++) {
      var value = values[j].value;
      parts.push(value === '' ? name : name + '=' + value);
    }
  }
  return parts.join('&');
}
